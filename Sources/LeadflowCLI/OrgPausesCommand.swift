import ArgumentParser
import Foundation
import LeadflowStore

/// `leadflow org pauses [ORG]`: what is paused, since when, by whom and why.
struct OrgPausesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pauses", abstract: "List paused organizations, channels and pipelines: since when, by whom, why.")

    @Argument(help: "The organization (default: every organization).")
    var org: String?

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let pauses = try await OrgChannels.withDatabase(database) { [org] connection in
            try OrganizationPauses.list(org: org, on: connection)
        }
        if json {
            print(try LeadOutput.json(pauses))
            return
        }
        guard !pauses.isEmpty else {
            print("nothing is paused")
            return
        }
        var table = TextTable([.init("ORG"), .init("SCOPE"), .init("SINCE", maxWidth: 30), .init("BY"), .init("REASON", maxWidth: 80)])
        for pause in pauses {
            table.append([pause.org, pause.pipeline.map { "pipeline \($0)" } ?? pause.scope, pause.pausedAt.formatted(.iso8601), pause.pausedBy, pause.reason ?? ""])
        }
        print(table.rendered())
    }
}
