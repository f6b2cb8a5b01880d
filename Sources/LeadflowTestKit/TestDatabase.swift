import Foundation
import Logging
import Postgres
import PostgresServer
import Synchronization

/// The PostgreSQL server tests run against: `DATABASE_URL` when it is set, otherwise a private cluster under
/// `.build/test-postgres` in this checkout, started once per test process and shared with the other test
/// processes running at the same time (the last one to exit stops it).
public enum TestDatabase {
    /// The URL of the server's maintenance database; starts the private cluster on first use.
    public static func url() async throws -> String {
        try await server.value
    }

    /// Creates a database with a unique name, runs `body` with its URL, then drops it (also when `body`
    /// throws), so tests running in parallel never see each other's tables.
    public static func withFreshDatabase<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (String) async throws -> sending T
    ) async throws -> sending T {
        let serverURL = try await url()
        // Generated from digits and letters only, so it is safe as an identifier; quoted all the same.
        let name = "leadflow_test_\(getpid())_\(sequence.add(1, ordering: .relaxed).oldValue)_"
            + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let databaseURL = try PostgresConfiguration(url: serverURL).replacingDatabase(name).url
        return try await PostgresConnection.withConnection(configuration: .init(url: serverURL)) { admin in
            try await admin.execute("CREATE DATABASE \"\(name)\"")
            // FORCE ends sessions the test left open, such as pooled connections not yet shut down.
            let drop = "DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)"
            do {
                let value = try await body(databaseURL)
                try await admin.execute(drop)
                return value
            } catch {
                _ = try? await admin.execute(drop)
                throw error
            }
        }
    }

    private static let sequence = Atomic<Int>(0)

    /// The running private cluster, kept for the exit handler.
    private static let cluster = Mutex<LocalPostgresCluster?>(nil)

    private static let server = Task<String, any Error> {
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
            return url
        }
        let folder = packageRoot.appendingPathComponent(".build/test-postgres").path
        let local = try LocalPostgresCluster(
            directory: folder,
            options: .init(durable: false, settings: ["max_connections": "300"]))
        try await local.startShared()
        cluster.withLock { $0 = local }
        atexit { TestDatabase.releaseAtExit() }
        return local.url
    }

    private static func releaseAtExit() {
        guard let local = cluster.withLock({ $0 }) else { return }
        do {
            try local.releaseShared()
        } catch {
            FileHandle.standardError.write(Data("TestDatabase: could not stop the test cluster: \(error)\n".utf8))
        }
    }

    /// The package root, three levels up from this file (Sources/LeadflowTestKit/TestDatabase.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
