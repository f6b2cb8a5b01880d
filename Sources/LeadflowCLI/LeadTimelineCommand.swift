import Foundation
import ArgumentParser
import LeadflowStore

/// `leadflow lead timeline ID --org ORG`: the lead's history, oldest first.
struct LeadTimelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Show a lead's history: every event, oldest first, with attempts, errors and who acted.")

    @OptionGroup var lead: LeadSelection

    @Option(help: "Most events shown (1…10000).")
    var limit = 1_000

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1…10000 (got \(limit))") }
    }

    func run() async throws {
        let (org, externalID, limit) = (lead.org, lead.externalID, limit)
        let found = try await database.withConnection(logger: CLILogging.logger("lead")) { connection in
            try await connection.withTransaction { connection -> [LeadHistoryEntry]? in
                guard let record = try LeadRecord.find(org: org, externalID: externalID, on: connection) else {
                    return nil
                }
                return try LeadHistory.timelineWithPauses(of: record, limit: limit, on: connection)
            }
        }
        guard let entries = found else { throw CLIError("no lead \"\(externalID)\" in organization \"\(org)\"") }
        if entries.filter({ $0.id != 0 }).count == limit {
            FileHandle.standardError.write(
                Data("only the oldest \(limit) events are shown; --limit takes up to 10000\n".utf8))
        }
        print(json ? try LeadOutput.json(entries) : LeadOutput.text(entries))
    }
}
