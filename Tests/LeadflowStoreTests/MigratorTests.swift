import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

@Suite("Migrator")
struct MigratorTests {
    @Test("a fresh database gets every migration, in order")
    func fresh() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let report = try await Migrator().migrate(url: url)
            #expect(report.appliedVersions == Migration.all.map(\.version))
            #expect(report.currentVersion == Migration.all.last?.version)
            let connection = try await PostgresConnection.connect(url: url)
            let tables = try await connection.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            let names = try tables.map { try $0.decode(String.self, at: 0) }
            // The lead history's weekly partitions: this week and four ahead.
            let weekly = names.filter { $0.wholeMatch(of: /lead_history_\d{8}/) != nil }
            #expect(weekly.count == 5)
            #expect(names.filter { !weekly.contains($0) } == [
                "admin_tokens", "audit_log", "console_sessions", "lead_history", "lead_history_default", "lead_stage_actions", "lead_stages", "lead_suppressions", "leads",
                "organization_channels", "organization_pauses", "organizations", "pipeline_stage_actions", "pipeline_stages", "pipelines",
                "processed_messages", "schema_migrations",
            ])
            await connection.close()
        }
    }

    @Test("migration 9 turns leads.unsubscribed_at into all-channel suppressions, so those leads stay unsubscribed")
    func unsubscribedLeadsKeepTheirOptOut() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator(migrations: Migration.all.filter { $0.version < 9 }).migrate(url: url)
            let connection = try await PostgresConnection.connect(url: url)
            try await connection.executeScript(
                """
                INSERT INTO organizations (id) VALUES ('acme');
                INSERT INTO leads (org_id, external_id, unsubscribed_at)
                    VALUES ('acme', 'gone', '2026-01-02T03:04:05Z'), ('acme', 'here', NULL);
                """)
            _ = try await Migrator().migrate(url: url)
            let rows = try await connection.query(
                """
                SELECT l.external_id, s.channel, s.suppressed, s.changed_at = '2026-01-02T03:04:05Z'
                FROM lead_suppressions s JOIN leads l ON l.id = s.lead_id
                """)
            let suppressions = try rows.map { try $0.decode((String, String, Bool, Bool).self) }
            #expect(suppressions.count == 1)
            #expect(suppressions.first.map { [$0.0, $0.1] } == ["gone", "all"])
            #expect(suppressions.first.map { $0.2 && $0.3 } == true)
            await connection.close()
        }
    }

    @Test("a second run applies nothing and leaves the schema exactly as it was")
    func idempotent() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let migrator = Migrator()
            _ = try await migrator.migrate(url: url)
            let connection = try await PostgresConnection.connect(url: url)
            let before = try await connection.query(catalogDump).scalar(String.self)
            let second = try await migrator.migrate(url: url)
            let after = try await connection.query(catalogDump).scalar(String.self)
            #expect(second.appliedVersions.isEmpty)
            #expect(second.currentVersion == Migration.all.last?.version)
            #expect(second.description.contains("up to date"))
            #expect(before?.contains("lead_stage_actions_queue_idx") == true)
            #expect(before == after)
            await connection.close()
        }
    }

    @Test("concurrent migrators apply each migration exactly once")
    func concurrent() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let reports = try await withThrowingTaskGroup(of: MigrationReport.self) { group in
                for _ in 0..<4 { group.addTask { try await Migrator().migrate(url: url) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let applied = reports.flatMap(\.appliedVersions).sorted()
            #expect(applied == Migration.all.map(\.version))
            #expect(reports.allSatisfy { $0.currentVersion == Migration.all.last?.version })
        }
    }

    @Test("a failing migration leaves earlier ones applied and nothing of itself")
    func failure() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let migrations = [
                Migration(version: 1, name: "one", sql: "CREATE TABLE one (n int);"),
                Migration(version: 2, name: "two", sql: "CREATE TABLE two (n int); SELECT 1 / 0;"),
            ]
            let error = await #expect(throws: PostgresError.self) { try await Migrator(migrations: migrations).migrate(url: url) }
            #expect(error?.sqlState == "22012")
            let connection = try await PostgresConnection.connect(url: url)
            let state = try await connection.query(
                "SELECT to_regclass('one') IS NOT NULL, to_regclass('two') IS NULL, array_agg(version) FROM schema_migrations")[0]
            #expect(try state.decode((Bool, Bool, [Int]).self) == (true, true, [1]))
            await connection.close()
            let retry = try await Migrator(migrations: [migrations[0]]).migrate(url: url)
            #expect(retry == MigrationReport(appliedVersions: [], currentVersion: 1))
        }
    }

    @Test("migration versions are unique and increasing, and checksums are stable")
    func catalogue() {
        let versions = Migration.all.map(\.version)
        #expect(versions == Array(1...versions.count), "\(versions)")
        // FNV-1a 64 test vectors.
        #expect(Migration(version: 1, name: "x", sql: "").checksum == "cbf29ce484222325")
        #expect(Migration(version: 1, name: "x", sql: "a").checksum == "af63dc4c8601ec8c")
        #expect(Migration(version: 1, name: "x", sql: "SELECT 1").checksum != Migration(version: 1, name: "x", sql: "SELECT 2").checksum)
        #expect(Migration.all.allSatisfy { $0.checksum.count == 16 })
    }
}
