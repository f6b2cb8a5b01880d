import Foundation
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// `leadflow dlq` as a user runs it, against a real database.
@Suite("leadflow dlq")
struct DLQCommandTests {
    /// Runs `leadflow dlq …` against `url`; returns the exit status, stdout and stderr.
    func dlq(_ arguments: [String], url: String) async throws -> (status: Int32, output: String, errors: String) {
        try await LeadflowExecutable.run(["dlq"] + arguments + ["--database-url", url], environment: [:])
    }

    @Test("list prints a table or JSON, filters, and pages with the cursor it prints")
    func list() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let acme = try await DeadLetterSeed.kill(["ada": "550 no such user", "bob": "HTTP 503"], org: "acme", url: url)
            try await DeadLetterSeed.kill(["cy": "HTTP 503"], org: "beta", url: url)

            let table = try await dlq(["list"], url: url)
            #expect(table.status == 0, "\(table)")
            let lines = table.output.split(separator: "\n")
            #expect(lines.first?.hasPrefix("ID") == true && lines.first?.contains("LAST ERROR") == true, "\(table.output)")
            #expect(lines.count == 5, "header, three rows, a count:\n\(table.output)")
            #expect(table.output.contains("welcome/hello"))
            #expect(table.output.contains("550 no such user"))
            #expect(lines.last == "3 dead letters")

            let beta = try await dlq(["list", "--org", "beta", "--json"], url: url)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(beta.output.utf8)) as? [String: Any])
            let letters = try #require(object["dead_letters"] as? [[String: Any]])
            #expect(letters.map { $0["external_id"] as? String } == ["cy"])
            #expect(letters.first?["replayable"] as? Bool == true)
            #expect(object["next_cursor"] is NSNull)

            #expect(try await dlq(["list", "--type", "sms"], url: url).output == "no dead letters\n")
            let recent = try await dlq(["list", "--error", "no such", "--since", "1h"], url: url).output
            #expect(recent.contains("550 no such user") && !recent.contains("HTTP 503"), "\(recent)")
            #expect(recent.split(separator: "\n").dropFirst().first?.hasPrefix("\(acme["ada"]!) ") == true, "\(recent)")

            let first = try await dlq(["list", "--limit", "2"], url: url)
            let cursor = try #require(first.output.split(separator: " ").last.map { String($0.dropLast()) })
            #expect(first.output.contains("next page: --cursor \(cursor)"), "\(first.output)")
            let rest = try await dlq(["list", "--limit", "2", "--cursor", cursor], url: url)
            #expect(rest.output.hasSuffix("1 dead letter\n"), "\(rest.output)")
        }
    }

    @Test("show prints one action in full; an unknown id fails")
    func show() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let ids = try await DeadLetterSeed.kill(["ada": "550 no such user"], org: "acme", url: url)
            let id = try #require(ids["ada"])
            let shown = try await dlq(["show", "\(id)"], url: url)
            #expect(shown.status == 0)
            for text in ["status:          dead", "lead:            ada", "attempts:        1 of 3", "idempotency key:", "\"subject\" : \"Hello\""] {
                #expect(shown.output.contains(text), "\(text) in\n\(shown.output)")
            }
            let json = try await dlq(["show", "\(id)", "--json"], url: url)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
            #expect(object["last_error"] as? String == "550 no such user")
            #expect((object["config"] as? [String: Any])?["email"] != nil, "\(json.output)")

            let missing = try await dlq(["show", "\(id + 1000)"], url: url)
            #expect(missing.status == 1)
            #expect(missing.errors.contains("no action \(id + 1000)"), "\(missing.errors)")
        }
    }

    @Test("replay and discard by id or filter; a dry run changes nothing; a skipped id fails")
    func replayAndDiscard() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let ids = try await DeadLetterSeed.kill(
                ["ada": "550 no such user", "bob": "HTTP 503", "cy": "HTTP 503"], org: "acme", url: url)
            let (ada, bob, cy) = (ids["ada"]!, ids["bob"]!, ids["cy"]!)

            let dry = try await dlq(["replay", "--error", "503", "--dry-run"], url: url)
            #expect(dry.output == "would replay 2: \([bob, cy].sorted().map(String.init).joined(separator: ", "))\n")
            #expect(try await status(of: bob, url: url) == "dead:1")

            let replayed = try await dlq(["replay", "\(bob)"], url: url)
            #expect(replayed.status == 0, "\(replayed)")
            #expect(replayed.output == "replayed 1: \(bob)\n")
            #expect(try await status(of: bob, url: url) == "pending:0")

            let again = try await dlq(["replay", "\(bob)", "\(cy)", "--json"], url: url)
            #expect(again.status == 1, "a named action was skipped")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [String: Any])
            #expect(object["replayed"] as? [Int] == [cy])
            let skipped = try #require(object["skipped"] as? [[String: Any]])
            #expect(skipped.first?["id"] as? Int == bob)
            #expect(skipped.first?["reason"] as? String == "not dead (pending)")

            let discarded = try await dlq(["discard", "--all"], url: url)
            #expect(discarded.output == "discarded 1: \(ada)\n", "\(discarded)")
            #expect(try await status(of: ada, url: url) == "canceled:1")
            #expect(try await dlq(["list"], url: url).output == "no dead letters\n")
        }
    }

    @Test(
        "bad arguments stop with exit status 64 and say what is wrong",
        arguments: [
            (["list", "--type", "fax"], "fax"),
            (["list", "--since", "yesterday"], "ISO 8601"),
            (["list", "--limit", "0"], "--limit must be between 1 and 1000"),
            (["list", "--cursor", "page-two"], "expected a cursor"),
            (["show", "abc"], "abc"),
            (["replay"], "needs --all"),
            (["discard", "--dry-run"], "needs --all"),
            (["replay", "12", "--org", "acme"], "not both"),
            (["replay", "--all", "--type", "sms"], "--all selects every dead action"),
        ])
    func badArguments(_ arguments: [String], message: String) async throws {
        // No database is reached: the arguments are refused first.
        let (status, _, errors) = try await dlq(arguments, url: "postgres://nobody@127.0.0.1:1/x")
        #expect(status == 64, "\(arguments): \(errors)")
        #expect(errors.contains(message), "\(arguments): \(errors)")
    }

    @Test("without a database the command says how to give one")
    func noDatabase() async throws {
        let (status, _, errors) = try await LeadflowExecutable.run(["dlq", "list"], environment: ["DATABASE_URL": ""])
        #expect(status == 1)
        #expect(errors.contains("no database: pass --database-url or set DATABASE_URL"), "\(errors)")
    }

    /// `status:attempts` of an action.
    func status(of id: Int, url: String) async throws -> String? {
        try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
            try await connection.query(
                "SELECT status || ':' || attempts FROM lead_stage_actions WHERE id = $1", [id]
            ).scalar(String.self)
        }
    }
}
