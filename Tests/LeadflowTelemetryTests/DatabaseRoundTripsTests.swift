import Foundation
import LeadflowTelemetry
import LeadflowTestKit
import Postgres
import Testing

@Suite("Database round trips")
struct DatabaseRoundTripsTests {
    @Test("every statement on a real PostgreSQL connection becomes a db_query span with its fixed name")
    func roundTrips() async throws {
        try await TelemetryHarness.with { harness in
            try await TestDatabase.withFreshDatabase { url in
                let telemetry = harness.telemetry("scheduler")
                let client = try PostgresClient(
                    configuration: .init(url: url), maxConnections: 1, observer: telemetry.databaseObserver)
                let statement = PostgresStatement(name: "test_add_one", sql: "SELECT $1::int + 1")
                let queries = try await client.withTransaction { connection in
                    let before = connection.roundTrips
                    _ = try connection.query(statement, [1])
                    _ = try connection.query("SELECT 2")
                    return connection.roundTrips - before
                }
                #expect(queries == 2)
                await #expect(throws: PostgresError.self) {
                    try await client.query("SELECT * FROM no_such_table")
                }
                await client.shutdown()

                let received = try await harness.receive(5)
                #expect(received.allSatisfy { $0.subject == "metrics.scheduler.db_query" && $0.measurement.kind == .span })
                #expect(received.map { $0.measurement.attributes["statement"] ?? "" }
                    == ["begin", "test_add_one", "unnamed", "commit", "unnamed"])
                #expect(received.map(\.measurement.outcome) == ["ok", "ok", "ok", "ok", "error"])
                #expect(received.allSatisfy { $0.measurement.duration.seconds > 0 || $0.measurement.duration.nanos > 0 })
            }
        }
    }
}
