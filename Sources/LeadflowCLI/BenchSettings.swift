import Foundation
import LeadflowConfig
import LeadflowSecrets
import LeadflowStore
import Postgres

/// What the end-to-end benchmarks share: settings with ports of their own and a fresh, migrated database
/// that is dropped afterwards.
enum BenchSettings {
    static func resolve(_ options: ConfigOptions) throws -> LeadflowSettings {
        var settings = try options.settings()
        // Ports of their own, so a running `leadflow dev` does not get in the way.
        settings.ingest.endpoint = "tcp://127.0.0.1:*"
        settings.ingest.eventsEndpoint = nil
        settings.scheduler.eventsEndpoint = "inproc://leadflow-bench-events"
        return settings
    }

    /// Runs `body` with the URL of a new database on the given server (or a private cluster), migrated.
    static func withFreshDatabase(
        settings: LeadflowSettings, postgres: PostgresCommand.Location, _ body: (String) async throws -> Void
    ) async throws {
        try await postgres.withServer(given: settings.databaseURL?.revealed) { serverURL, _ in
            let name = "leadflow_bench_\(Int(Date().timeIntervalSince1970))"
            let url = try PostgresConfiguration(url: serverURL).replacingDatabase(name).url
            try await PostgresConnection.withConnection(configuration: .init(url: serverURL)) { admin in
                try await admin.execute("CREATE DATABASE \"\(name)\"")
                let outcome = await Result(catching: {
                    _ = try await Migrator().migrate(url: url)
                    try await body(url)
                })
                _ = try await admin.execute("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
                try outcome.get()
            }
        }
    }
}
