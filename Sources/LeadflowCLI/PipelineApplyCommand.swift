import ArgumentParser
import Foundation
import LeadflowClient
import LeadflowPipeline
import LeadflowProto

/// `leadflow pipeline apply FILE…`: validates each file and publishes it on `pipeline.upsert.<org>`.
struct PipelineApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Validate pipeline files and send them to ingest (pipeline.upsert.<org>); creates the organization.",
        discussion: "Nothing is sent when any file has a problem; each problem is printed as FILE:line:column: message.")

    @Argument(help: "Pipeline YAML files.", completion: .file(extensions: ["yaml", "yml"]))
    var files: [String]

    @Option(help: "The organization (one subject token, e.g. acme).")
    var org: String

    @OptionGroup var ingest: IngestOptions

    func run() async throws {
        var definitions: [(String, Leadflow_V1_PipelineDefinition)] = []
        var failed = false
        for file in files {
            do {
                definitions.append((file, try PipelineFile.load(path: file)))
            } catch {
                failed = true
                for problem in error.problems { print(problem) }
            }
        }
        if failed { throw ExitCode.failure }
        try await ingest.withClient { client in
            for (file, definition) in definitions {
                let receipt = try await client.upsertPipeline(org: org, definition)
                print("\(file): applied as \(org)/\(definition.name) (msg id \(receipt.msgID))")
            }
        }
    }
}
