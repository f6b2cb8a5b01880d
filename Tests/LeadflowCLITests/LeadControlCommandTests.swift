import Foundation
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// `leadflow lead cancel|move|replay` and the audit of `org pause|resume`, against a real database: each control
/// changes what it says, writes the lead's history with who made it and an audit row, and refuses what does not
/// apply with the state named.
@Suite("leadflow lead controls")
struct LeadControlCommandTests {
    func leadflow(_ arguments: [String], url: String) async throws -> (status: Int32, output: String, errors: String) {
        try await LeadflowExecutable.run(arguments + ["--database-url", url], environment: ["LEADFLOW_ACTOR": "ticket-7"])
    }

    func query<T: PostgresDecodable>(_ sql: String, _ type: T.Type, url: String) async throws -> [T] {
        try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
            try await connection.query(sql).map { try $0.decode(T.self, at: 0) }
        }
    }

    func audit(url: String) async throws -> [String] {
        try await query(
            "SELECT action || ' ' || target || ' ' || actor_name || ' ' || rows_affected FROM audit_log ORDER BY id",
            String.self, url: url)
    }

    @Test("cancel: a dry run counts and changes nothing; the cancel ends the stage, keeps the reason and who; twice is an error")
    func cancel() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await DeadLetterSeed.kill(
                ["ada": "550 no such user", "bob": "550 gone"], org: "acme", url: url, pipeline: DeadLetterSeed.twoStages)

            let dry = try await leadflow(["lead", "cancel", "ada", "--org", "acme", "--reason", "wrong list", "--dry-run"], url: url)
            #expect(dry.status == 0, "\(dry)")
            #expect(dry.output == "1 lead would be canceled: 1 stage, 1 action (dry run: nothing changed)\n", "\(dry)")
            #expect(try await audit(url: url).isEmpty, "a dry run is not audited")

            let done = try await leadflow(["lead", "cancel", "ada", "--org", "acme", "--reason", "wrong list", "--json"], url: url)
            #expect(done.status == 0, "\(done)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(done.output.utf8)) as? [String: Any])
            #expect(report["leads"] as? Int == 1 && report["actions"] as? Int == 1 && report["dryRun"] as? Bool == false)
            let statuses = try await query(
                "SELECT a.type || ':' || a.status FROM lead_stage_actions a JOIN leads l ON l.id = a.lead_id WHERE l.external_id = 'ada' ORDER BY seq",
                String.self, url: url)
            #expect(statuses == ["email:dead", "sms:canceled"])
            let exit = try await query(
                "SELECT h.reason || ' by ' || h.actor FROM lead_history h JOIN leads l ON l.id = h.lead_id WHERE l.external_id = 'ada' AND h.kind = 'stage_exited'",
                String.self, url: url)
            #expect(exit == ["canceled: wrong list by ticket-7"])
            #expect(try await audit(url: url) == ["lead.cancel lead:acme/ada ticket-7 1"])

            let again = try await leadflow(["lead", "cancel", "ada", "--org", "acme", "--reason", "x"], url: url)
            #expect(again.status != 0 && again.errors.contains("lead \"ada\" has no open work"), "\(again)")
            let bulk = try await leadflow(["lead", "cancel", "--org", "acme", "--pipeline", "welcome", "--reason", "x", "--dry-run"], url: url)
            #expect(bulk.output.hasPrefix("1 lead would be canceled"), "only bob is left: \(bulk)")
            let nobody = try await leadflow(["lead", "cancel", "zed", "--org", "acme", "--reason", "x"], url: url)
            #expect(nobody.status != 0 && nobody.errors.contains("no lead \"zed\" in organization \"acme\""), "\(nobody)")
            let nowhere = try await leadflow(["lead", "cancel", "--org", "acme", "--pipeline", "nope", "--reason", "x"], url: url)
            #expect(nowhere.status != 0 && nowhere.errors.contains("no pipeline \"nope\" in organization \"acme\""), "\(nowhere)")
            let unnamed = try await leadflow(["lead", "cancel", "--org", "acme", "--reason", "x"], url: url)
            #expect(unnamed.status != 0 && unnamed.errors.contains("--pipeline"), "\(unnamed)")
        }
    }

    @Test("move: every lead of a stage to another stage, its first action due now; unknown stage and a lead not in the pipeline refused")
    func move() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await DeadLetterSeed.kill(
                ["ada": "550 no such user", "bob": "550 gone"], org: "acme", url: url, pipeline: DeadLetterSeed.twoStages)
            let unknown = try await leadflow(["lead", "move", "ada", "--org", "acme", "--pipeline", "welcome", "--to", "nope"], url: url)
            #expect(unknown.status != 0 && unknown.errors.contains("no stage \"nope\" in pipeline \"welcome\""), "\(unknown)")

            let dry = try await leadflow(
                ["lead", "move", "--org", "acme", "--pipeline", "welcome", "--stage", "hello", "--to", "later", "--dry-run"], url: url)
            #expect(dry.output.hasPrefix("2 leads would be moved: 2 stages, 2 actions"), "\(dry)")
            let moved = try await leadflow(
                ["lead", "move", "--org", "acme", "--pipeline", "welcome", "--stage", "hello", "--to", "later"], url: url)
            #expect(moved.status == 0 && moved.output.hasPrefix("2 leads moved"), "\(moved)")
            let open = try await query(
                """
                SELECT l.external_id || ':' || s.name || ':' || a.type || ':' || a.status || ':' || (a.perform_at <= now())
                FROM lead_stage_actions a JOIN leads l ON l.id = a.lead_id
                JOIN lead_stages ls ON ls.id = a.lead_stage_id JOIN pipeline_stages s ON s.id = ls.stage_id
                WHERE ls.exited_at IS NULL ORDER BY l.external_id
                """, String.self, url: url)
            #expect(open == ["ada:later:webhook:pending:true", "bob:later:webhook:pending:true"])
            let history = try await query(
                """
                SELECT h.kind || ':' || coalesce(h.reason, '') || ':' || coalesce(h.actor, '') FROM lead_history h
                JOIN leads l ON l.id = h.lead_id WHERE l.external_id = 'ada' AND h.actor IS NOT NULL ORDER BY h.id
                """, String.self, url: url)
            #expect(history == ["stage_exited:moved:ticket-7", "stage_entered::ticket-7"])
            #expect(try await audit(url: url) == ["lead.move pipeline:acme/welcome/hello ticket-7 2"])

            let there = try await leadflow(["lead", "move", "ada", "--org", "acme", "--pipeline", "welcome", "--to", "later"], url: url)
            #expect(there.status != 0 && there.errors.contains("already in stage \"later\""), "\(there)")
            _ = try await leadflow(["lead", "cancel", "ada", "--org", "acme", "--reason", "done"], url: url)
            let out = try await leadflow(["lead", "move", "ada", "--org", "acme", "--pipeline", "welcome", "--to", "hello"], url: url)
            #expect(out.status != 0 && out.errors.contains("is not in pipeline \"welcome\"; enroll it instead"), "\(out)")
        }
    }

    @Test("replay: a lead's dead action runs again with a fresh budget; nothing dead is an error")
    func replay() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let ids = try await DeadLetterSeed.kill(["ada": "550 no such user"], org: "acme", url: url)
            let replayed = try await leadflow(["lead", "replay", "ada", "--org", "acme"], url: url)
            #expect(replayed.status == 0 && replayed.output.hasPrefix("1 lead replayed: 0 stages, 1 action"), "\(replayed)")
            let state = try await query(
                "SELECT status || ':' || attempts FROM lead_stage_actions WHERE id = \(try #require(ids["ada"]))", String.self, url: url)
            #expect(state == ["pending:0"])
            #expect(try await audit(url: url) == ["lead.replay lead:acme/ada ticket-7 1"])
            let again = try await leadflow(["lead", "replay", "ada", "--org", "acme"], url: url)
            #expect(again.status != 0 && again.errors.contains("has no dead action to replay"), "\(again)")
        }
    }

    @Test("org pause and resume are audited with who and the scope")
    func pauseAudit() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await DeadLetterSeed.kill([:], org: "acme", url: url)
            #expect(try await leadflow(["org", "pause", "acme", "--channel", "sms", "--reason", "carrier"], url: url).status == 0)
            #expect(try await leadflow(["org", "resume", "acme", "--channel", "sms"], url: url).status == 0)
            #expect(
                try await audit(url: url)
                    == ["organization.pause organization:acme/sms ticket-7 1", "organization.resume organization:acme/sms ticket-7 1"])
        }
    }
}
