import LeadflowIngest
import Logging
import Postgres
import ZeroMQ

/// A real ingest service in the test's process, on a loopback port, for the commands that publish to it.
enum InProcessIngest {
    /// Runs `body` with ingest's client endpoint and a pool on `url`, then stops both.
    static func with(url: String, _ body: (_ endpoint: String, _ database: PostgresClient) async throws -> Void) async throws {
        let database = try PostgresClient(configuration: .init(url: url), maxConnections: 2)
        let context = try ZMQContext()
        var configuration = IngestConfiguration()
        configuration.endpoint = "tcp://127.0.0.1:*"
        configuration.eventsEndpoint = nil
        let ingest = try await IngestService.start(
            configuration: configuration, database: database, context: context,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let running = Task { try await ingest.run() }
        let outcome: Result<Void, any Error>
        do {
            try await body(try await ingest.boundEndpoint(), database)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        ingest.shutdown()
        _ = await running.result
        await database.shutdown()
        context.shutdown()
        try outcome.get()
    }
}
