import Foundation
import LeadflowProto
import LeadflowStore
import Postgres
import Testing

@Suite("Lead history partitions and retention")
struct LeadHistoryTests {
    /// Weekly partitions of `lead_history` by name, oldest first.
    static func partitions(_ connection: PostgresConnection) async throws -> [String] {
        try await connection.query(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'lead_history'::regclass AND c.relname <> 'lead_history_default' ORDER BY 1
            """
        ).map { try $0.decode(String.self, at: 0) }
    }

    /// Writes one `updated` event about lead 1 of acme through the store's writer; returns nothing.
    static func writeEvent(_ connection: PostgresConnection) async throws {
        try await connection.withTransaction { connection in
            var log = LeadEventLog(recording: false, history: true, actor: "test")
            try LeadWriter.upsert(
                [.init(org: "acme", Leadflow_V1_LeadUpsert.with { $0.externalID = "lead-1" })], events: &log,
                on: connection)
            try LeadHistory.write(log, on: connection)
        }
    }

    @Test("the migration creates this week's partition and four ahead; creating again adds only what is missing")
    func partitionsAhead() async throws {
        try await withMigratedDatabase { connection in
            let names = try await Self.partitions(connection)
            #expect(names.count == 5)
            let monday = try await connection.query(
                "SELECT to_char(date_trunc('week', now() AT TIME ZONE 'UTC'), 'YYYYMMDD')"
            ).scalar(String.self)!
            #expect(names.first == "lead_history_\(monday)")
            let created = try await connection.withTransaction { try LeadHistory.createPartitions(weeksAhead: 4, on: $0) }
            #expect(created == 0)
            let more = try await connection.withTransaction { try LeadHistory.createPartitions(weeksAhead: 6, on: $0) }
            #expect(more == 2)
            #expect(try await Self.partitions(connection).count == 7)
            // A written event lands in this week's partition, not the default one.
            try await connection.execute("INSERT INTO organizations (id) VALUES ('acme')")
            try await Self.writeEvent(connection)
            let placed = try await connection.query("SELECT tableoid::regclass::text, actor FROM lead_history")
                .map { try $0.decode((String, String?).self) }
            #expect(placed.map(\.0) == ["lead_history_\(monday)"] && placed.map(\.1) == ["test"])
        }
    }

    @Test("retention drops whole weeks that ended before it, deletes old rows of the default partition, keeps the rest")
    func retentionDropsOldWeeks() async throws {
        try await withMigratedDatabase { connection in
            // A week 20 weeks ago with a row, and a row in the default partition from 30 weeks ago.
            try await connection.executeScript(
                """
                DO $$
                DECLARE week date := date_trunc('week', now() AT TIME ZONE 'UTC')::date - 140;
                BEGIN
                    EXECUTE format('CREATE TABLE %I PARTITION OF lead_history FOR VALUES FROM (%L) TO (%L)',
                        'lead_history_' || to_char(week, 'YYYYMMDD'), week::timestamp AT TIME ZONE 'UTC',
                        (week + 7)::timestamp AT TIME ZONE 'UTC');
                END $$;
                INSERT INTO lead_history (occurred_at, org_id, lead_id, kind)
                    VALUES (date_trunc('week', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '137 days',
                            'acme', 1, 'created'),
                           (now() - interval '210 days', 'acme', 1, 'updated'),
                           (now(), 'acme', 1, 'enrolled');
                """)
            #expect(try await Self.partitions(connection).count == 6)
            let placed = try await connection.query(
                "SELECT kind, tableoid::regclass::text FROM lead_history ORDER BY id"
            ).map { try $0.decode((String, String).self) }
            #expect(placed.map(\.1)[0].hasPrefix("lead_history_2") && placed.map(\.1)[1] == "lead_history_default")
            let keepAll = try await connection.withTransaction {
                try LeadHistory.dropPartitions(olderThan: .seconds(250 * 86_400), on: $0)
            }
            #expect(keepAll == 0)
            #expect(try await connection.query("SELECT count(*)::bigint FROM lead_history").scalar(Int.self) == 3)
            let dropped = try await connection.withTransaction {
                try LeadHistory.dropPartitions(olderThan: .seconds(90 * 86_400), on: $0)
            }
            #expect(dropped == 1)
            #expect(try await Self.partitions(connection).count == 5)
            let left = try await connection.query("SELECT kind FROM lead_history ORDER BY id").map {
                try $0.decode(String.self, at: 0)
            }
            #expect(left == ["enrolled"])
        }
    }

    @Test("a week whose rows already sit in the default partition is skipped, and its rows stay readable")
    func defaultPartitionRowsStay() async throws {
        try await withMigratedDatabase { connection in
            try await connection.execute(
                "INSERT INTO lead_history (occurred_at, org_id, lead_id, kind) VALUES (now() + interval '56 days', 'acme', 7, 'created')")
            let created = try await connection.withTransaction { try LeadHistory.createPartitions(weeksAhead: 10, on: $0) }
            // Weeks 5 to 10 ahead are missing; the one holding the row (week 8) stays in the default partition.
            #expect(created == 5)
            let entries = try await connection.withTransaction {
                try LeadHistory.timeline(leadID: 7, since: .distantPast, limit: 10, on: $0)
            }
            #expect(entries.map(\.kind) == ["created"])
        }
    }
}

@Suite("Lead history and erasure")
struct LeadHistoryErasureTests {
    /// Runs `body` with a log that keeps history (or not) in one transaction, and writes the log.
    static func transaction(
        _ connection: PostgresConnection, history: Bool, _ body: @Sendable (inout LeadEventLog, isolated PostgresConnection) throws -> Void
    ) async throws {
        try await connection.withTransaction { connection in
            var log = LeadEventLog(recording: false, history: history)
            try body(&log, connection)
            try LeadHistory.write(log, on: connection)
        }
    }

    static func kinds(_ connection: PostgresConnection) async throws -> [String] {
        try await connection.query("SELECT kind FROM lead_history ORDER BY occurred_at, id").map { try $0.decode(String.self, at: 0) }
    }

    @Test("a deletion in the same batch as other events about the lead keeps only its own rows")
    func sameBatch() async throws {
        try await withMigratedDatabase { connection in
            try await connection.execute("INSERT INTO organizations (id) VALUES ('acme')")
            try await Self.transaction(connection, history: true) { log, connection in
                try LeadWriter.upsert(
                    [.init(org: "acme", Leadflow_V1_LeadUpsert.with { $0.externalID = "ada"; $0.email = "ada@example.com" })],
                    events: &log, on: connection)
                try LeadWriter.unsubscribe(
                    [.init(org: "acme", Leadflow_V1_LeadUnsubscribe.with { $0.externalID = "ada"; $0.reason = "ada@example.com asked" })],
                    defaultMaxAttempts: 3, events: &log, on: connection)
                try LeadWriter.delete(
                    [.init(org: "acme", Leadflow_V1_LeadDelete.with { $0.externalID = "ada" })], events: &log, on: connection)
            }
            #expect(try await Self.kinds(connection) == ["deleted"])
        }
    }

    @Test("a deletion erases the history written before, even with history.enabled false")
    func historyOff() async throws {
        try await withMigratedDatabase { connection in
            try await connection.execute("INSERT INTO organizations (id) VALUES ('acme')")
            try await Self.transaction(connection, history: true) { log, connection in
                try LeadWriter.unsubscribe(
                    [.init(org: "acme", Leadflow_V1_LeadUnsubscribe.with { $0.externalID = "ada"; $0.reason = "ada@example.com asked" })],
                    defaultMaxAttempts: 3, events: &log, on: connection)
            }
            #expect(try await Self.kinds(connection) == ["created", "unsubscribed"])
            try await Self.transaction(connection, history: false) { log, connection in
                try LeadWriter.delete(
                    [.init(org: "acme", Leadflow_V1_LeadDelete.with { $0.externalID = "ada" })], events: &log, on: connection)
            }
            #expect(try await Self.kinds(connection) == [])
        }
    }
}
