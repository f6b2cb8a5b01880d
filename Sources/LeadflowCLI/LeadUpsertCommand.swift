import ArgumentParser
import LeadflowProto

/// `leadflow lead upsert ID --org ORG [fields]`: create a lead or change its fields, through ingest.
struct LeadUpsertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upsert",
        abstract: "Create a lead or change its fields (lead.upsert through ingest).",
        discussion: """
            Fields not given stay as they are; an empty value clears one. --attribute KEY=VALUE merges one \
            attribute (an empty value removes it). Opt-outs never change with an upsert. To run a dead action \
            again after fixing the field it lacked: `leadflow lead replay`.
            """)

    @OptionGroup var lead: LeadWriteOptions

    @Option(help: "E-mail address (empty: clear it).")
    var email: String?

    @Option(help: "Phone number in E.164 form, e.g. +15551234567 (empty: clear it).")
    var phone: String?

    @Option(name: .customLong("first-name"), help: "Given name (empty: clear it).")
    var firstName: String?

    @Option(name: .customLong("last-name"), help: "Family name (empty: clear it).")
    var lastName: String?

    @Option(
        name: .customLong("attribute"),
        help: ArgumentHelp("An attribute as KEY=VALUE; repeat for more (an empty VALUE removes the key).", valueName: "key=value"))
    var attributes: [String] = []

    func validate() throws { _ = try parsedAttributes() }

    func run() async throws {
        var upsert = Leadflow_V1_LeadUpsert()
        upsert.externalID = lead.externalID
        if let email { upsert.email = email }
        if let phone { upsert.phone = phone }
        if let firstName { upsert.firstName = firstName }
        if let lastName { upsert.lastName = lastName }
        upsert.attributes = try parsedAttributes()
        let message = upsert
        try await lead.publish("upsert") { client, org, msgID in
            try await client.upsertLead(org: org, message, msgID: msgID)
        }
    }

    private func parsedAttributes() throws -> [String: String] {
        var parsed: [String: String] = [:]
        for attribute in attributes {
            guard let equals = attribute.firstIndex(of: "="), equals != attribute.startIndex else {
                throw ValidationError("--attribute \(attribute): expected KEY=VALUE")
            }
            parsed[String(attribute[..<equals])] = String(attribute[attribute.index(after: equals)...])
        }
        return parsed
    }
}
