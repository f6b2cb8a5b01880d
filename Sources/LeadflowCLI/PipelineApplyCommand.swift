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

    @Option(help: "Ingest's client endpoint.")
    var ingest = "tcp://127.0.0.1:4222"

    @Option(
        name: .customLong("curve-secret-key-file"),
        help: ArgumentHelp(
            "This client's CURVE secret key file, for a CURVE ingest (default: $LEADFLOW_BUS_CURVE_SECRET_KEY_FILE).",
            valueName: "file"))
    var curveSecretKeyFile: String?

    @Option(
        name: .customLong("curve-server-key-file"),
        help: ArgumentHelp(
            "Ingest's CURVE public key file (default: $LEADFLOW_BUS_CURVE_SERVER_KEY_FILE).", valueName: "file"))
    var curveServerKeyFile: String?

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
        let client = try await LeadflowClient.connect(
            to: ingest, configuration: try clientConfiguration(), logger: CLILogging.logger("client"))
        defer { Task { await client.close() } }
        for (file, definition) in definitions {
            let receipt = try await client.upsertPipeline(org: org, definition)
            print("\(file): applied as \(org)/\(definition.name) (msg id \(receipt.msgID))")
        }
        await client.close()
    }

    /// CURVE when a key file is given (flags over the `bus.*` environment variables), plaintext otherwise.
    private func clientConfiguration() throws -> LeadflowClient.Configuration {
        var configuration = LeadflowClient.Configuration()
        let environment = ProcessInfo.processInfo.environment
        let secret = curveSecretKeyFile ?? environment["LEADFLOW_BUS_CURVE_SECRET_KEY_FILE"]
        let server = curveServerKeyFile ?? environment["LEADFLOW_BUS_CURVE_SERVER_KEY_FILE"]
        switch (secret, server) {
        case (nil, nil):
            break
        case (let secret?, let server?):
            try configuration.useCurve(secretKeyFile: secret, serverKeyFile: server)
        default:
            throw ValidationError("CURVE needs both --curve-secret-key-file and --curve-server-key-file")
        }
        return configuration
    }
}
