import Foundation
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// `leadflow pipeline list|show|pause|resume` against a real database: what is stored, the leads in each stage,
/// and a pause that holds the pipeline's pending work, shows in `lead show`, and is audited.
@Suite("leadflow pipeline list, show, pause, resume")
struct PipelineCatalogCommandTests {
    func leadflow(_ arguments: [String], url: String) async throws -> (status: Int32, output: String, errors: String) {
        try await LeadflowExecutable.run(arguments + ["--database-url", url], environment: ["LEADFLOW_ACTOR": "ticket-9"])
    }

    func statuses(_ externalID: String, url: String) async throws -> [String] {
        try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
            try await connection.query(
                """
                SELECT a.type || ':' || a.status FROM lead_stage_actions a JOIN leads l ON l.id = a.lead_id
                WHERE l.external_id = $1 ORDER BY a.id
                """, [externalID]
            ).map { try $0.decode(String.self, at: 0) }
        }
    }

    @Test("list and show name the stages, actions and leads; pause holds the pending work and shows everywhere; resume releases it")
    func pauseAndResume() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await DeadLetterSeed.kill(["ada": "550 no such user"], org: "acme", url: url, pipeline: DeadLetterSeed.twoStages)
            #expect(try await leadflow(["lead", "replay", "ada", "--org", "acme"], url: url).status == 0)
            #expect(try await statuses("ada", url: url) == ["email:pending", "sms:blocked"])

            let paused = try await leadflow(["pipeline", "pause", "acme", "welcome", "--reason", "copy review"], url: url)
            #expect(paused.status == 0, "\(paused)")
            #expect(paused.output == "paused pipeline welcome of acme (by ticket-9): 1 pending action held\n", "\(paused)")
            #expect(try await statuses("ada", url: url) == ["email:held", "sms:blocked"])

            let shown = try await leadflow(["pipeline", "show", "acme", "welcome"], url: url)
            #expect(shown.status == 0, "\(shown)")
            #expect(shown.output.contains("pipeline welcome of acme, version 1"), "\(shown.output)")
            #expect(shown.output.contains("paused: since ") && shown.output.contains("by ticket-9: copy review"), "\(shown.output)")
            let lines = shown.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(lines.contains("hello email → sms 1") && lines.contains("later webhook 0"), "\(shown.output)")

            let listed = try await leadflow(["pipeline", "list", "acme", "--json"], url: url)
            let pipelines = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])
            #expect(pipelines.count == 1 && pipelines[0]["name"] as? String == "welcome" && pipelines[0]["stages"] as? Int == 2)
            #expect((pipelines[0]["pause"] as? [String: Any])?["pausedBy"] as? String == "ticket-9", "\(listed.output)")

            let why = try await leadflow(["lead", "show", "ada", "--org", "acme"], url: url)
            #expect(why.output.contains("held: the pipeline welcome paused since"), "\(why.output)")
            let pauses = try await leadflow(["org", "pauses", "acme"], url: url)
            #expect(pauses.output.contains("pipeline welcome"), "\(pauses.output)")

            let twice = try await leadflow(["pipeline", "pause", "acme", "welcome"], url: url)
            #expect(twice.status != 0 && twice.errors.contains("acme pipeline welcome is already paused"), "\(twice)")

            let resumed = try await leadflow(["pipeline", "resume", "acme", "welcome"], url: url)
            #expect(resumed.status == 0, "\(resumed)")
            #expect(resumed.output.hasSuffix("1 held action pending again\n"), "\(resumed)")
            #expect(try await statuses("ada", url: url) == ["email:pending", "sms:blocked"])
            let notPaused = try await leadflow(["pipeline", "resume", "acme", "welcome"], url: url)
            #expect(notPaused.status != 0 && notPaused.errors.contains("acme pipeline welcome is not paused"), "\(notPaused)")

            let audit = try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
                try await connection.query(
                    "SELECT action || ' ' || target || ' ' || actor_name || ' ' || (detail->>'actions') FROM audit_log WHERE action LIKE 'organization.%' ORDER BY id"
                ).map { try $0.decode(String.self, at: 0) }
            }
            #expect(
                audit == [
                    "organization.pause organization:acme/pipeline:welcome ticket-9 1",
                    "organization.resume organization:acme/pipeline:welcome ticket-9 1",
                ])
        }
    }

    @Test("show --json has the pipeline, its pause and each stage's actions and leads")
    func showJSON() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await DeadLetterSeed.kill(["ada": "550 no such user"], org: "acme", url: url, pipeline: DeadLetterSeed.twoStages)
            #expect(try await leadflow(["pipeline", "pause", "acme", "welcome"], url: url).status == 0)
            let shown = try await leadflow(["pipeline", "show", "acme", "welcome", "--json"], url: url)
            #expect(shown.status == 0, "\(shown)")
            let detail = try #require(try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [String: Any])
            let summary = try #require(detail["summary"] as? [String: Any], "\(shown.output)")
            #expect(summary["name"] as? String == "welcome" && summary["version"] as? Int == 1)
            #expect((summary["pause"] as? [String: Any])?["pipeline"] as? String == "welcome", "\(shown.output)")
            let stages = try #require(detail["stages"] as? [[String: Any]])
            #expect(stages.map { $0["name"] as? String } == ["hello", "later"])
            #expect(stages.map { $0["actions"] as? [String] } == [["email", "sms"], ["webhook"]])
            #expect(stages.map { $0["leads"] as? Int } == [1, 0])
        }
    }

    @Test("an unknown pipeline or organization is an error naming it")
    func unknown() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await DeadLetterSeed.kill([:], org: "acme", url: url)
            for command in [["pipeline", "show", "acme", "nope"], ["pipeline", "pause", "acme", "nope"], ["pipeline", "resume", "acme", "nope"]] {
                let result = try await leadflow(command, url: url)
                #expect(result.status != 0 && result.errors.contains("no pipeline \"nope\" in organization \"acme\""), "\(command): \(result)")
            }
            let org = try await leadflow(["pipeline", "pause", "globex", "welcome"], url: url)
            #expect(org.status != 0 && org.errors.contains("no organization \"globex\""), "\(org)")
            let none = try await leadflow(["pipeline", "list", "globex"], url: url)
            #expect(none.status == 0 && none.output == "organization globex has no pipeline\n", "\(none)")
        }
    }
}
