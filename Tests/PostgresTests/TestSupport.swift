import Foundation
import LeadflowTestKit
import Postgres
import PostgresServer
import Synchronization

/// Opens a connection to the shared test server's maintenance database for the duration of `body`; for tests
/// that create nothing but temporary tables.
func withTestConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
    try await PostgresConnection.withConnection(configuration: .init(url: try await TestDatabase.url())) { try await body($0) }
}

/// Starts a cluster of the test's own in a temporary folder, for tests that stop or restart the server, and
/// removes it afterwards.
func withTemporaryCluster<T: Sendable>(_ body: (LocalPostgresCluster) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("leadflow-pg-\(UUID().uuidString.prefix(8))").path
    let cluster = try LocalPostgresCluster(directory: folder, options: .init(durable: false))
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try await cluster.start()
    do {
        let value = try await body(cluster)
        try await cluster.stop()
        return value
    } catch {
        try? await cluster.stop()
        throw error
    }
}

struct ExpectedFailure: Error {}

/// Counts how many callers are inside a section at once, and the most there ever were.
final class ConcurrencyGauge: Sendable {
    private let state = Mutex((now: 0, peak: 0))

    func enter() {
        state.withLock { state in
            state.now += 1
            state.peak = max(state.peak, state.now)
        }
    }

    func leave() {
        state.withLock { $0.now -= 1 }
    }

    var peak: Int { state.withLock { $0.peak } }
}
