import ArgumentParser
import LeadflowStore

/// `leadflow lead search --org ORG --email E | --phone P | --external-id X`: leads by what a person has in hand.
struct LeadSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find an organization's leads by e-mail address (any case), phone number or external id.")

    @Option(help: "The organization the leads belong to.")
    var org: String

    @Option(help: "E-mail address, matched without regard to case.")
    var email: String?

    @Option(help: "Phone number, matched as stored (E.164 when the CRM normalises them).")
    var phone: String?

    @Option(name: .customLong("external-id"), help: "External id (LeadUpsert.external_id).")
    var externalID: String?

    @Option(help: "Most leads shown (1…1000).")
    var limit = 100

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws { _ = try criterion() }

    func criterion() throws -> LeadSearch.Criterion {
        let given = [email.map(LeadSearch.Criterion.email), phone.map(LeadSearch.Criterion.phone),
                     externalID.map(LeadSearch.Criterion.externalID)].compactMap { $0 }
        guard given.count == 1, let criterion = given.first else {
            throw ValidationError("give exactly one of --email, --phone or --external-id")
        }
        guard (1...1_000).contains(limit) else { throw ValidationError("--limit must be 1…1000 (got \(limit))") }
        return criterion
    }

    func run() async throws {
        let (org, criterion, limit) = (org, try criterion(), limit)
        let found: [LeadRecord]
        do {
            found = try await database.withConnection(logger: CLILogging.logger("lead")) { connection in
                try await connection.withTransaction { try LeadSearch.find(org: org, criterion, limit: limit, on: $0) }
            }
        } catch let error as LeadLookupError {
            throw CLIError(error.description)
        }
        if json {
            print(try LeadOutput.json(found))
            return
        }
        guard !found.isEmpty else {
            print("no lead matches")
            return
        }
        var table = TextTable([.init("EXTERNAL ID"), .init("ID"), .init("EMAIL"), .init("PHONE"), .init("NAME")])
        for lead in found {
            table.append([
                lead.externalID, "\(lead.id)", lead.email ?? "", lead.phone ?? "",
                [lead.firstName, lead.lastName].compactMap { $0 }.joined(separator: " "),
            ])
        }
        print(table.rendered())
    }
}
