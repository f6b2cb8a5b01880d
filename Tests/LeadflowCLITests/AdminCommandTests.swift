import Curl
import Foundation
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// `leadflow admin` and `leadflow admin token` as an operator runs them, against a real database.
@Suite("leadflow admin")
struct AdminCommandTests {
    func admin(_ arguments: [String], url: String) async throws -> (status: Int32, output: String, errors: String) {
        try await LeadflowExecutable.run(["admin"] + arguments + ["--database-url", url], environment: [:])
    }

    @Test("token create prints the token alone, once; list shows it without the secret; revoke stops it; mistakes are named")
    func tokens() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let made = try await admin(["token", "create", "--name", "ci", "--role", "operator", "--org", "acme", "--org", "globex"], url: url)
            #expect(made.status == 0, "\(made.errors)")
            let secret = made.output.trimmingCharacters(in: .newlines)
            #expect(secret.hasPrefix("lfa_") && secret.count == 47 && !secret.contains("\n"), "\(made.output)")
            #expect(made.errors.contains("token 1 'ci' made: operator, organizations acme, globex; it is shown this once"), "\(made.errors)")

            let listed = try await admin(["token", "list"], url: url)
            #expect(listed.status == 0)
            #expect(listed.output.contains("ci") && listed.output.contains("acme,globex") && listed.output.contains("cli:"), "\(listed.output)")
            #expect(!listed.output.contains(secret))

            let duplicate = try await admin(["token", "create", "--name", "ci", "--role", "viewer"], url: url)
            #expect(duplicate.status == 1 && duplicate.errors.contains("a token named 'ci' exists"), "\(duplicate.errors)")
            let brief = try await admin(["token", "create", "--name", "brief", "--role", "viewer", "--expires-in", "2h"], url: url)
            #expect(brief.status == 0, "\(brief.errors)")
            let expiry = try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
                try await connection.query("SELECT extract(epoch FROM expires_at - now())::float8 FROM admin_tokens WHERE name = 'brief'")
                    .scalar(Double.self)
            }
            #expect((7000...7200).contains(expiry ?? 0), "\(String(describing: expiry))")
            let never = try await admin(["token", "create", "--name", "x", "--role", "viewer", "--expires-in", "0s"], url: url)
            #expect(never.status == 64 && never.errors.contains("--expires-in: expected a positive duration"), "\(never.errors)")
            let role = try await admin(["token", "create", "--name", "x", "--role", "root"], url: url)
            #expect(role.status == 64 && role.errors.contains("--role must be viewer, operator or admin (got root)"), "\(role.errors)")
            let org = try await admin(["token", "create", "--name", "x", "--role", "viewer", "--org", "a.b"], url: url)
            #expect(org.status == 1 && org.errors.contains("organizations[0] is not an organization id"), "\(org.errors)")

            let revoked = try await admin(["token", "revoke", "1"], url: url)
            #expect(revoked.status == 0 && revoked.output == "token 1 'ci' revoked\n", "\(revoked)")
            let again = try await admin(["token", "revoke", "1"], url: url)
            #expect(again.status == 1 && again.errors.contains("token 1 ('ci') was already revoked at"), "\(again.errors)")
            #expect(!(try await admin(["token", "list"], url: url).output.contains("operator")), "ci is revoked")
            #expect(try await admin(["token", "list", "--all"], url: url).output.contains("ci"))

            let actions = try await PostgresConnectionHelper.auditActions(url: url)
            #expect(actions.map(\.0) == ["token.create", "token.create", "token.revoke"])
            #expect(actions.allSatisfy { $0.1.hasPrefix("cli:") })
        }
    }

    @Test("leadflow admin serves until SIGTERM, then exits 0; a token works; the token never reaches the log")
    func serves() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let secret = try await admin(["token", "create", "--name", "ops", "--role", "viewer"], url: url).output
                .trimmingCharacters(in: .newlines)
            let port = try LoopbackPort.unused()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("admin-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let service = try ChildProcess(
                name: "admin", arguments: ["admin", "--database-url", url, "--set", "admin.listen=127.0.0.1:\(port)"],
                logPath: "\(folder)/admin.log")
            defer { service.send(SIGKILL) }
            let curl = CurlWorker(name: "test.admin")
            defer { curl.shutdown() }
            let base = "http://127.0.0.1:\(port)"
            try await eventually("the admin API answers /readyz", timeout: .seconds(30)) {
                if let termination = service.termination { throw TimedOut(description: "admin ended: \(termination)\n\(service.tail())") }
                return (try? await curl.perform(HTTPRequest(url: base + "/readyz")))?.status == 200
            }
            let me = try await curl.perform(HTTPRequest(url: base + "/v1/token", headers: ["Authorization": "Bearer \(secret)"]))
            #expect(me.status == 200 && String(decoding: me.body, as: UTF8.self).contains("\"name\":\"ops\""))

            service.send(SIGTERM)
            #expect(await service.waitForExit(timeout: .seconds(30)) == .exited(0), "\(service.tail())")
            #expect(service.output.contains("admin API listening"), "\(service.tail())")
            #expect(service.output.contains("token.name=ops"), "the request line names the token: \(service.tail())")
            #expect(!service.output.contains(secret))
        }
    }

    @Test("a listen address that is not loopback, or one taken, stops the start with a message naming it")
    func listenProblems() async throws {
        let exposed = try await LeadflowExecutable.run(
            ["admin", "--database-url", "postgres://nobody@127.0.0.1:1/x", "--set", "admin.listen=0.0.0.0:4280"], environment: [:])
        #expect(exposed.status != 0)
        #expect(exposed.errors.contains("admin.listen 0.0.0.0:4280 is not a loopback address"), "\(exposed.errors)")

        try await TestHTTPServer.withServer { occupant in
            let taken = try await LeadflowExecutable.run(
                ["admin", "--database-url", "postgres://nobody@127.0.0.1:1/x", "--set", "admin.listen=127.0.0.1:\(occupant.port)"],
                environment: [:])
            #expect(taken.status == 1)
            #expect(taken.errors.contains("admin.listen 127.0.0.1:\(occupant.port): cannot listen"), "\(taken.errors)")
        }
    }
}

/// Reads the audit log of a database by URL.
enum PostgresConnectionHelper {
    static func auditActions(url: String) async throws -> [(String, String)] {
        try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
            try await connection.query("SELECT action, actor_name FROM audit_log ORDER BY id").map {
                try $0.decode((String, String).self)
            }
        }
    }
}
