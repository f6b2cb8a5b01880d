import ArgumentParser
import Foundation
import LeadflowClient

/// Where the CLI publishes to ingest, and how: the endpoint and, for a CURVE ingest, the key files.
struct IngestOptions: ParsableArguments {
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

    /// A client connected to ingest; the caller closes it.
    func connect() async throws -> LeadflowClient {
        try await LeadflowClient.connect(
            to: ingest, configuration: try clientConfiguration(), logger: CLILogging.logger("client"))
    }

    /// Publishes with a client connected for it, and closes the client whatever happens.
    func withClient<T: Sendable>(_ body: (LeadflowClient) async throws -> T) async throws -> T {
        let client = try await connect()
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
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
