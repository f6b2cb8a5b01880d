import ArgumentParser
import Foundation
import LeadflowStore

/// `leadflow pipeline list [ORG] [--json]`: the stored pipelines with their versions and pauses.
struct PipelineListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the stored pipelines: version, stages, last change, pause.")

    @Argument(help: "The organization (default: every organization).")
    var org: String?

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let pipelines = try await OrgChannels.withDatabase(database) { [org] connection in
            try PipelineCatalog.list(org: org, on: connection)
        }
        if json {
            print(try LeadOutput.json(pipelines))
            return
        }
        guard !pipelines.isEmpty else {
            print(org.map { "organization \($0) has no pipeline" } ?? "no pipeline is stored")
            return
        }
        var table = TextTable([
            .init("ORG"), .init("PIPELINE"), .init("VERSION"), .init("STAGES"), .init("UPDATED", maxWidth: 30),
            .init("PAUSED", maxWidth: 80),
        ])
        for pipeline in pipelines {
            table.append([
                pipeline.org, pipeline.name, "\(pipeline.version)", "\(pipeline.stages)",
                pipeline.updatedAt.formatted(.iso8601), pipeline.pause.map(PipelineShowCommand.pauseText) ?? "-",
            ])
        }
        print(table.rendered())
    }
}
