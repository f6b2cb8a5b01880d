import Foundation
import LeadflowStore
import Postgres
import LeadflowTestKit
import Testing

/// `leadflow lead` as a support person runs it, against a real database.
@Suite("leadflow lead")
struct LeadCommandTests {
    func leadflow(
        _ arguments: [String], url: String, environment: [String: String] = [:]
    ) async throws -> (status: Int32, output: String, errors: String) {
        try await LeadflowExecutable.run(arguments + ["--database-url", url], environment: environment)
    }

    @Test("show: the lead and why each open action waits; unknown lead and organization are named")
    func show() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let ids = try await DeadLetterSeed.kill(["ada": "550 no such user"], org: "acme", url: url)
            let email = try #require(ids["ada"])
            let shown = try await leadflow(["lead", "show", "ada", "--org", "acme"], url: url)
            #expect(shown.status == 0, "\(shown)")
            #expect(shown.output.contains("lead ada (id "), "\(shown.output)")
            #expect(shown.output.contains("dead after 1 of 3 attempts: 550 no such user"), "\(shown.output)")
            #expect(shown.output.contains("blocked behind action \(email) (email, dead)"), "\(shown.output)")

            let json = try await leadflow(["lead", "show", "ada", "--org", "acme", "--json"], url: url)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
            let open = try #require(object["openActions"] as? [[String: Any]])
            #expect(open.map { $0["type"] as? String } == ["email", "sms"])
            #expect((open.first?["reason"] as? [String: Any])?["dead"] != nil, "\(json.output)")

            let nobody = try await leadflow(["lead", "show", "nobody", "--org", "acme"], url: url)
            #expect(nobody.status != 0 && nobody.errors.contains("no lead \"nobody\" in organization \"acme\""), "\(nobody)")
            let nowhere = try await leadflow(["lead", "timeline", "ada", "--org", "nope"], url: url)
            #expect(nowhere.status != 0 && nowhere.errors.contains("no organization \"nope\""), "\(nowhere)")
        }
    }

    @Test("timeline: every event oldest first, an operator's replay with who made it")
    func timeline() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let ids = try await DeadLetterSeed.kill(["ada": "550 no such user"], org: "acme", url: url)
            let replay = try await leadflow(
                ["dlq", "replay", "\(try #require(ids["ada"]))"], url: url, environment: ["LEADFLOW_ACTOR": "ticket-42"])
            #expect(replay.status == 0, "\(replay)")

            let json = try await leadflow(["lead", "timeline", "ada", "--org", "acme", "--json"], url: url)
            #expect(json.status == 0, "\(json)")
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]])
            #expect(entries.compactMap { $0["kind"] as? String }
                == ["created", "enrolled", "stage_entered", "action_dispatched", "action_dead", "action_replayed"],
                "\(json.output)")
            #expect(entries.last?["actor"] as? String == "ticket-42")
            #expect(entries[4]["error"] as? String == "550 no such user")

            let text = try await leadflow(["lead", "timeline", "ada", "--org", "acme"], url: url)
            #expect(text.output.contains("action_replayed") && text.output.contains("by ticket-42"), "\(text.output)")
            #expect(text.output.contains("welcome / hello"), "pipeline and stage names: \(text.output)")
        }
    }

    @Test("--version prints the version and exits 0")
    func version() async throws {
        let run = try await LeadflowExecutable.run(["--version"], environment: [:])
        #expect(run.status == 0 && run.output.wholeMatch(of: /\d+\.\d+\.\d+(-dev)?\n/) != nil, "\(run)")
    }

    @Test("search: by e-mail in any case, by phone, by external id; exactly one criterion; unknown organization named")
    func search() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
                try await connection.executeScript(
                    """
                    INSERT INTO organizations (id) VALUES ('acme'), ('beta');
                    INSERT INTO leads (org_id, external_id, email, phone) VALUES
                        ('acme', 'ada', 'Ada@Example.com', '+15550001111'),
                        ('acme', 'bob', 'bob@example.com', NULL),
                        ('beta', 'ada-b', 'ada@example.com', '+15550001111');
                    """)
            }
            let byEmail = try await leadflow(["lead", "search", "--org", "acme", "--email", "ADA@example.COM", "--json"], url: url)
            let leads = try #require(try JSONSerialization.jsonObject(with: Data(byEmail.output.utf8)) as? [[String: Any]])
            #expect(leads.map { $0["externalID"] as? String } == ["ada"], "\(byEmail)")
            let byPhone = try await leadflow(["lead", "search", "--org", "beta", "--phone", "+15550001111"], url: url)
            #expect(byPhone.status == 0 && byPhone.output.contains("ada-b") && !byPhone.output.contains("Ada@"), "\(byPhone)")
            let byID = try await leadflow(["lead", "search", "--org", "acme", "--external-id", "bob"], url: url)
            #expect(byID.output.contains("bob@example.com"), "\(byID)")
            let none = try await leadflow(["lead", "search", "--org", "acme", "--phone", "+1999"], url: url)
            #expect(none.status == 0 && none.output == "no lead matches\n", "\(none)")
            let two = try await leadflow(["lead", "search", "--org", "acme", "--phone", "1", "--email", "x"], url: url)
            #expect(two.status != 0 && two.errors.contains("exactly one of --email, --phone or --external-id"), "\(two)")
            let nowhere = try await leadflow(["lead", "search", "--org", "nope", "--email", "a@b.c"], url: url)
            #expect(nowhere.status != 0 && nowhere.errors.contains("no organization \"nope\""), "\(nowhere)")
        }
    }
}
