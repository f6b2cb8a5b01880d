import ArgumentParser
import Foundation
import LeadflowStore

/// `leadflow pipeline show ORG PIPELINE [--json]`: stages, their actions and the leads in each now.
struct PipelineShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a stored pipeline: its stages and actions in the current version, the leads in each stage now, its pause.")

    @Argument(help: "The organization.")
    var org: String

    @Argument(help: "The pipeline's name.")
    var pipeline: String

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let found = try await OrgChannels.withDatabase(database) { [org, pipeline] connection in
            try PipelineCatalog.show(org: org, name: pipeline, on: connection)
        }
        guard let detail = found else { throw CLIError("no pipeline \"\(pipeline)\" in organization \"\(org)\"") }
        if json {
            print(try LeadOutput.json(detail))
            return
        }
        let summary = detail.summary
        print("pipeline \(summary.name) of \(summary.org), version \(summary.version)")
        print("  created \(summary.createdAt.formatted(.iso8601)), updated \(summary.updatedAt.formatted(.iso8601))")
        print("  paused: " + (summary.pause.map(Self.pauseText) ?? "no"))
        var table = TextTable([.init("STAGE"), .init("ACTIONS", maxWidth: 80), .init("LEADS NOW")])
        for stage in detail.stages {
            let actions = stage.position == nil ? "(left out of the definition)" : stage.actions.joined(separator: " → ")
            table.append([stage.name, actions.isEmpty ? "-" : actions, "\(stage.leads)"])
        }
        print("")
        print(table.rendered())
    }

    /// `since T by W: reason`.
    static func pauseText(_ pause: OrganizationPauses.Pause) -> String {
        "since \(pause.pausedAt.formatted(.iso8601)) by \(pause.pausedBy)" + (pause.reason.map { ": \($0)" } ?? "")
    }
}
