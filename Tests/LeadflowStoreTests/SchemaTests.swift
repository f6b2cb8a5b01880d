import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// A query the scheduler runs and the partial index that must serve it.
struct IndexedQuery: Sendable, CustomTestStringConvertible {
    let name: String
    let sql: String
    let index: String
    /// Run after the common data, to give the query the shape of data it is for.
    var setup = ""
    var testDescription: String { name }
}

@Suite("Schema")
struct SchemaTests {
    /// 200 leads × 100 actions: 20,000 rows, 2 % of them pending (a backlog, partly due) and 0.1 % in each
    /// other open status, as in a long-running system where almost everything has finished.
    static let manyFinishedActions = """
        INSERT INTO organizations (id) VALUES ('acme'), ('tiny');
        INSERT INTO pipelines (org_id, name) VALUES ('acme', 'onboarding');
        INSERT INTO pipeline_stages (pipeline_id, position, name) SELECT id, 0, 'welcome' FROM pipelines;
        INSERT INTO pipeline_stage_actions (stage_id, seq, type) SELECT id, 0, 'email' FROM pipeline_stages;
        INSERT INTO leads (org_id, external_id)
            SELECT CASE WHEN g % 10 = 0 THEN 'tiny' ELSE 'acme' END, 'lead-' || g FROM generate_series(1, 200) g;
        INSERT INTO lead_stages (lead_id, org_id, pipeline_id, stage_id)
            SELECT l.id, l.org_id, p.id, s.id FROM leads l, pipelines p, pipeline_stages s;
        INSERT INTO lead_stage_actions
            (lead_stage_id, lead_id, org_id, pipeline_action_id, seq, type, status, perform_at, locked_until, completed_at)
        SELECT ls.id, ls.lead_id, ls.org_id, a.id, g, 'email', k.status,
               now() + ((ls.id * 100 + g) % 7 - 3) * interval '1 minute',
               CASE WHEN k.status = 'dispatched' THEN now() + interval '1 minute' END,
               CASE WHEN k.status IN ('succeeded', 'dead') THEN now() END
        FROM lead_stages ls
        CROSS JOIN generate_series(1, 100) g
        CROSS JOIN pipeline_stage_actions a
        CROSS JOIN LATERAL (SELECT CASE
            WHEN (ls.id * 100 + g) % 1000 < 20 THEN 'pending' WHEN (ls.id * 100 + g) % 1000 = 20 THEN 'waiting'
            WHEN (ls.id * 100 + g) % 1000 = 21 THEN 'dispatched' WHEN (ls.id * 100 + g) % 1000 = 22 THEN 'dead'
            ELSE 'succeeded' END AS status) k;
        ANALYZE;
        """

    static let indexedQueries: [IndexedQuery] = [
        IndexedQuery(
            name: "first queue (organization, type) with pending work",
            sql: """
                SELECT org_id, type, perform_at FROM lead_stage_actions WHERE status = 'pending'
                ORDER BY org_id, type, perform_at LIMIT 1
                """,
            index: "lead_stage_actions_queue_idx"),
        IndexedQuery(
            name: "next queue after one (the loose index scan's step)",
            sql: """
                SELECT org_id, type, perform_at FROM lead_stage_actions
                WHERE status = 'pending' AND (org_id, type) > ('acme', 'email')
                ORDER BY org_id, type, perform_at LIMIT 1
                """,
            index: "lead_stage_actions_queue_idx"),
        IndexedQuery(
            name: "due work of one queue",
            sql: """
                SELECT id FROM lead_stage_actions
                WHERE status = 'pending' AND org_id = 'tiny' AND type = 'email' AND perform_at <= now()
                ORDER BY perform_at LIMIT 10 FOR UPDATE SKIP LOCKED
                """,
            index: "lead_stage_actions_queue_idx"),
        IndexedQuery(
            name: "in-flight count of one channel",
            sql: """
                SELECT count(*) FROM lead_stage_actions
                WHERE status = 'dispatched' AND org_id = 'org-3' AND type = 'email'
                """,
            index: "lead_stage_actions_in_flight_idx",
            // Forty organizations' work in flight, each one's a small part of it.
            setup: """
                INSERT INTO organizations (id) SELECT 'org-' || g FROM generate_series(0, 39) g;
                UPDATE lead_stage_actions SET status = 'dispatched', locked_until = now() + interval '1 minute',
                    completed_at = NULL, org_id = 'org-' || (id % 40)
                WHERE status = 'succeeded' AND id % 4 = 0;
                ANALYZE;
                """),
        IndexedQuery(
            // As the claim asks it (WorkQueue.claimStatement, Suppressions.isSuppressed): per taken action.
            name: "opt-out check of claimed actions",
            sql: """
                SELECT a.id, EXISTS (SELECT 1 FROM lead_suppressions sup
                                     WHERE sup.lead_id = a.lead_id AND sup.channel IN ('all', a.type) AND sup.suppressed)
                FROM lead_stage_actions a
                WHERE a.status = 'pending' AND a.org_id = 'tiny' AND a.type = 'email' AND a.perform_at <= now()
                ORDER BY a.perform_at LIMIT 10
                """,
            index: "lead_suppressions_pkey",
            // Many leads opted out of something, as after years of SMS STOPs and unsubscribe links.
            setup: """
                INSERT INTO leads (org_id, external_id) SELECT 'acme', 'more-' || g FROM generate_series(1, 20000) g;
                INSERT INTO lead_suppressions (lead_id, channel, suppressed, changed_at)
                    SELECT id, (ARRAY['all', 'email', 'sms'])[id % 3 + 1], id % 5 <> 0, now() FROM leads;
                ANALYZE;
                """),
        IndexedQuery(
            name: "wait_for_reply timeouts",
            sql: "SELECT id FROM lead_stage_actions WHERE status = 'waiting' AND perform_at <= now() LIMIT 100",
            index: "lead_stage_actions_waiting_idx"),
        IndexedQuery(
            name: "expired leases",
            sql: "SELECT id FROM lead_stage_actions WHERE status = 'dispatched' AND locked_until < now() LIMIT 100",
            index: "lead_stage_actions_lease_idx"),
        IndexedQuery(
            name: "dead letters of one org",
            sql: """
                SELECT id FROM lead_stage_actions WHERE org_id = 'acme' AND status = 'dead'
                ORDER BY completed_at DESC LIMIT 50
                """,
            index: "lead_stage_actions_dead_idx"),
    ]

    @Test("scheduler queries use their partial index among many finished actions", arguments: indexedQueries)
    func partialIndexUsed(_ query: IndexedQuery) async throws {
        try await withMigratedDatabase { connection in
            try await connection.executeScript(Self.manyFinishedActions)
            if !query.setup.isEmpty { try await connection.executeScript(query.setup) }
            let total = try await connection.query("SELECT count(*) FROM lead_stage_actions").scalar(Int.self)
            #expect(total == 20_000)
            let plan = try await connection.query("EXPLAIN (FORMAT JSON) \(query.sql)").scalar(String.self) ?? ""
            #expect(plan.contains("\"Index Name\": \"\(query.index)\""), "\(plan)")
            #expect(!plan.contains("Seq Scan"), "\(plan)")
        }
    }

    @Test("the queue index holds only pending rows")
    func dueIndexIsPartial() async throws {
        try await withMigratedDatabase { connection in
            let definition = try await connection.query(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'lead_stage_actions_queue_idx'"
            ).scalar(String.self)
            #expect(definition?.hasSuffix("(org_id, type, perform_at) WHERE (status = 'pending'::text)") == true)
        }
    }

    @Test(
        "constraints reject what the model forbids",
        arguments: [
            ("INSERT INTO organizations (id) VALUES ('a.b')", "23514", "organizations_id_check"),
            ("INSERT INTO organizations (id) VALUES ('acme')", "23505", "organizations_pkey"),
            ("INSERT INTO leads (org_id, external_id) VALUES ('acme', 'lead-1')", "23505", "leads_org_id_external_id_key"),
            ("INSERT INTO leads (org_id, external_id) VALUES ('nobody', 'x')", "23503", "leads_org_id_fkey"),
            ("INSERT INTO pipeline_stage_actions (stage_id, seq, type) SELECT id, 1, 'fax' FROM pipeline_stages",
             "23514", "pipeline_stage_actions_type_check"),
            ("INSERT INTO lead_stages (lead_id, org_id, pipeline_id, stage_id) SELECT lead_id, org_id, pipeline_id, stage_id FROM lead_stages",
             "23505", "lead_stages_current_key"),
            ("""
             INSERT INTO lead_stage_actions (lead_stage_id, lead_id, org_id, pipeline_action_id, seq, type, status)
             SELECT ls.id, ls.lead_id, ls.org_id, a.id, 0, 'email', 'bogus' FROM lead_stages ls, pipeline_stage_actions a
             """, "23514", "lead_stage_actions_status_check"),
            ("""
             INSERT INTO lead_stage_actions (lead_stage_id, lead_id, org_id, pipeline_action_id, seq, type, status)
             SELECT ls.id, ls.lead_id, ls.org_id, a.id, 0, 'email', 'pending' FROM lead_stages ls, pipeline_stage_actions a
             """, "23514", "lead_stage_actions_pending_has_perform_at"),
            ("""
             INSERT INTO lead_stage_actions (lead_stage_id, lead_id, org_id, pipeline_action_id, seq, type, status, perform_at)
             SELECT ls.id, ls.lead_id, ls.org_id, a.id, 0, 'email', 'dispatched', now() FROM lead_stages ls, pipeline_stage_actions a
             """, "23514", "lead_stage_actions_dispatched_has_lease"),
            ("DELETE FROM pipeline_stages", "23503", "lead_stages_stage_id_fkey"),
        ])
    func constraints(sql: String, sqlState: String, constraint: String) async throws {
        try await withMigratedDatabase { connection in
            try await connection.executeScript(seedOneLead)
            let error = await PostgresError.caught { try await connection.execute(sql) }
            #expect(error?.sqlState?.rawValue == sqlState)
            #expect(error?.constraint == constraint)
        }
    }

    @Test("deleting a lead removes its stages and actions; deleting a pipeline removes everything under it")
    func cascades() async throws {
        try await withMigratedDatabase { connection in
            try await connection.executeScript(seedOneLead)
            try await connection.execute("""
                INSERT INTO lead_stage_actions (lead_stage_id, lead_id, org_id, pipeline_action_id, seq, type, status, perform_at)
                SELECT ls.id, ls.lead_id, ls.org_id, a.id, 0, 'email', 'pending', now() FROM lead_stages ls, pipeline_stage_actions a
                """)
            let key = try await connection.query("SELECT idempotency_key FROM lead_stage_actions").scalar(String.self)
            #expect(key?.count == 36)
            #expect(try await connection.execute("DELETE FROM leads WHERE external_id = $1", ["lead-1"]) == 1)
            let left = try await connection.query(
                "SELECT (SELECT count(*) FROM lead_stages) + (SELECT count(*) FROM lead_stage_actions)").scalar(Int.self)
            #expect(left == 0)
            #expect(try await connection.execute("DELETE FROM pipelines") == 1)
            let definitions = try await connection.query(
                "SELECT (SELECT count(*) FROM pipeline_stages) + (SELECT count(*) FROM pipeline_stage_actions)").scalar(Int.self)
            #expect(definitions == 0)
        }
    }

    @Test("a message id is recorded once per organization; a redelivery is recognised")
    func processedMessages() async throws {
        try await withMigratedDatabase { connection in
            let insert = """
                INSERT INTO processed_messages (msg_id, org_id, subject) VALUES ($1, $2, $3) ON CONFLICT (org_id, msg_id) DO NOTHING
                """
            #expect(try await connection.execute(insert, ["msg-1", "acme", "lead.upsert.acme"]) == 1)
            #expect(try await connection.execute(insert, ["msg-1", "acme", "lead.upsert.acme"]) == 0)
            // The same id from another tenant is another message.
            #expect(try await connection.execute(insert, ["msg-1", "globex", "lead.upsert.globex"]) == 1)
            let pruned = try await connection.execute(
                "DELETE FROM processed_messages WHERE received_at < now() - $1::interval", ["24 hours"])
            #expect(pruned == 0)
        }
    }
}
