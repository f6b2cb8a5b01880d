import ArgumentParser
import LeadflowStore

/// `leadflow lead show ID --org ORG`: the lead, and each open action with why it waits.
struct LeadShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a lead: its fields, and each open action with why it has not run (docs/operations.md).",
        discussion: """
            "Why" comes from the rules the claim applies: the action before it, its due time, the lead's opt-outs, \
            the organization's in-flight and rate limits (tenant.* settings for organizations without their own), \
            and the queue of due actions ahead of it.
            """)

    @OptionGroup var lead: LeadSelection

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var config: ConfigOptions

    func run() async throws {
        let settings = try config.settings()
        let (org, externalID) = (lead.org, lead.externalID)
        let defaults = settings.scheduler.organizationLimits
        let found = try await config.database.withConnection(logger: CLILogging.logger("lead")) { connection in
            try await connection.withTransaction { connection -> (LeadRecord, [ActionWait])? in
                guard let record = try LeadRecord.find(org: org, externalID: externalID, on: connection) else {
                    return nil
                }
                return (record, try LeadWaits.explain(leadID: record.id, defaults: defaults, on: connection))
            }
        }
        guard let (record, waits) = found else { throw CLIError("no lead \"\(externalID)\" in organization \"\(org)\"") }
        print(json ? try LeadOutput.json(LeadOutput.Shown(lead: record, openActions: waits)) : LeadOutput.text(record, waits))
    }
}
