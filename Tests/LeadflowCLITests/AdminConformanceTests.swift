import Curl
import Foundation
import LeadflowStore
import LeadflowTestKit
import Testing

/// openapi/admin.yaml checked against a running `leadflow admin` by schemathesis (from PyPI, installed into
/// .venv by scripts/venv.sh, which scripts/test.sh runs first): every response's status, content type, headers
/// and body must be what the document says, every invalid request refused with a 4xx, no 5xx ever.
@Suite("leadflow admin conforms to openapi/admin.yaml (schemathesis)")
struct AdminConformanceTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemathesis = root.appendingPathComponent(".venv/bin/st").path

    @Test("an operator token on every operation, then an admin token on the admin operations: no failure")
    func schemathesis() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.schemathesis),
            "schemathesis is not installed: run scripts/venv.sh (scripts/test.sh does)")
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            // Dead letters of acme, the organization the document's examples name; action 1 is one of them, and
            // lead ada (the example's external id) another's lead.
            let seeded = try await DeadLetterSeed.kill(
                Dictionary(uniqueKeysWithValues: (["ada"] + (0..<6).map { "lead-\($0)" }).map { ($0, "550 no such user") }),
                org: "acme", url: url)
            #expect(seeded.values.contains(1))
            func token(_ role: String) async throws -> String {
                let made = try await LeadflowExecutable.run(
                    ["admin", "token", "create", "--name", "schemathesis-\(role)", "--role", role, "--database-url", url],
                    environment: [:])
                try #require(made.status == 0, "\(made.errors)")
                return made.output.trimmingCharacters(in: .newlines)
            }
            let (operatorToken, adminToken) = (try await token("operator"), try await token("admin"))
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("schemathesis-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            // Keys for /unsubscribe/{token}, so its operations are checked past "not configured": what schemathesis
            // makes up there is a token no key signed (403) or a form that is not the one-click one (400).
            let keyFile = folder.appendingPathComponent("unsubscribe.key").path
            try (Data(repeating: 0x5A, count: 32).base64EncodedString() + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
            let port = try LoopbackPort.unused()
            // schemathesis sends bad tokens on purpose (to see that they are refused): no limit for this run.
            let service = try ChildProcess(
                name: "admin",
                arguments: [
                    "admin", "--database-url", url, "--set", "admin.listen=127.0.0.1:\(port)",
                    "--set", "admin.bad_token_limit=1000000", "--set", "unsubscribe.key_file=\(keyFile)",
                ],
                logPath: folder.appendingPathComponent("admin.log").path)
            defer { service.send(SIGKILL) }

            func run(_ token: String, seconds: Int, only operations: String? = nil) async throws -> CommandRun.Outcome {
                // One worker: hypothesis describing its strategies from two threads at once trips CPython 3.11's
                // ast module ("AST constructor recursion depth mismatch").
                var arguments = [
                    "run", Self.root.appendingPathComponent("openapi/admin.yaml").path, "--url", "http://127.0.0.1:\(port)",
                    "--header", "Authorization: Bearer \(token)", "--checks", "all", "--workers", "1",
                    "--max-time", "\(seconds)", "--wait-for-schema", "30", "--generation-database", "none",
                    "--report-dir", folder.appendingPathComponent("report").path, "--no-color",
                ]
                if let operations { arguments += ["--include-operation-id-regex", operations] }
                // In the test's folder: schemathesis keeps a crash cache (.schemathesis/) where it runs.
                // The hooks escape a `%` in path parameters, which schemathesis would send as if it began an escape.
                return try await CommandRun.run(
                    Self.schemathesis, arguments,
                    environment: [
                        "HOME": folder.path,
                        "SCHEMATHESIS_HOOKS": Self.root.appendingPathComponent("scripts/schemathesis_hooks.py").path,
                    ],
                    directory: folder.path)
            }
            let curl = CurlWorker(name: "test.schemathesis")
            defer { curl.shutdown() }
            try await eventually("leadflow admin answers /readyz", timeout: .seconds(30)) {
                if let termination = service.termination { throw TimedOut(description: "admin ended: \(termination)\n\(service.tail())") }
                return (try? await curl.perform(HTTPRequest(url: "http://127.0.0.1:\(port)/readyz")))?.status == 200
            }
            let operatorRun = try await run(operatorToken, seconds: 60)
            #expect(operatorRun.status == 0, "schemathesis with the operator token:\n\(operatorRun.output.suffix(6000))")
            let adminRun = try await run(adminToken, seconds: 40, only: "^(setChannelLimits|listTokens|createToken|revokeToken|listAudit)$")
            #expect(adminRun.status == 0, "schemathesis with the admin token:\n\(adminRun.output.suffix(6000))")
            #expect(!service.output.contains(operatorToken) && !service.output.contains(adminToken))
            #expect(!service.output.contains("operation failed"), "\(service.tail(50))")
        }
    }
}
