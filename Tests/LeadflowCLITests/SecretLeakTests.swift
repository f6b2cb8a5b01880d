import Curl
import Foundation
import LeadflowClient
import LeadflowPipeline
import LeadflowProto
import LeadflowTestKit
import Logging
import Testing

/// Every secret set to a recognisable value, a real workload through real SMTP and HTTP providers, and then
/// every place a secret could leak to — the process's output, the collector's log, `/metrics`, `/alerts`,
/// `--help`, configuration errors — searched for any of them.
@Suite("Secrets stay out of logs, errors, help and metrics", .serialized)
struct SecretLeakTests {
    static let database = "LFSECRET-database-7f3a"
    static let smtp = "LFSECRET-smtp-91c2"
    static let smsToken = "LFSECRET-sms-55de"
    static let emailToken = "LFSECRET-emailapi-0b8e"
    static let signing = "LFSECRET-signing-c4d1"
    static let alertmanager = "LFSECRET-alertmanager-e9a0"
    static let all = [database, smtp, smsToken, emailToken, signing, alertmanager]

    static func leaks(in text: String, _ place: String) -> [String] {
        all.filter { text.contains($0) }.map { "\(place) contains \($0)" }
    }

    /// `postgres://user@host…` with `password` added to the user information (the test server trusts local
    /// connections, so a password is accepted and ignored).
    static func withPassword(_ url: String, _ password: String) throws -> String {
        let scheme = try #require(url.range(of: "://"))
        let rest = url[scheme.upperBound...]
        let at = try #require(rest.firstIndex(of: "@"), "the test database URL names its user: \(url)")
        return url[..<at] + ":" + password + url[at...]
    }

    @Test("a leadflow dev workload with every secret set prints none of them")
    func devWorkload() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await TestDatabase.withFreshDatabase { url in
            try await TestSMTPServer.withServer(users: ["mailer": Self.smtp]) { smtp in
                try await TestHTTPServer.withServer { provider in
                    provider.route("/Messages.json", method: "POST", .init(status: 201, text: #"{"sid":"SM1"}"#))
                    try await run(folder: folder, databaseURL: try Self.withPassword(url, Self.database), smtp: smtp, provider: provider)
                }
            }
        }
    }

    func run(folder: String, databaseURL: String, smtp: TestSMTPServer, provider: TestHTTPServer) async throws {
        let ingestPort = try LoopbackPort.unused()
        let httpPort = try LoopbackPort.unused()
        let alertmanagerPort = try LoopbackPort.unused()
        let adminPort = try LoopbackPort.unused()
        // Secrets in a file and in the environment, the two places docs/configuration.md recommends.
        let config = """
            handler:
              email:
                driver: smtp
                url: \(smtp.url)
                tls: none
                username: mailer
                token: \(Self.emailToken)
              sms:
                driver: http
                url: \(provider.baseURL)/Messages.json
                username: AC1
              webhook:
                driver: http
            admin:
              listen: 127.0.0.1:\(adminPort)
            collector:
              http: 127.0.0.1:\(httpPort)
              log_file: \(folder)/collector.log
              alertmanager: http://am:\(Self.alertmanager)@127.0.0.1:\(alertmanagerPort)/?token=\(Self.alertmanager)
            """
        try config.write(toFile: "\(folder)/leadflow.yaml", atomically: true, encoding: .utf8)
        let environment = [
            "DATABASE_URL": databaseURL,
            "LEADFLOW_HANDLER_EMAIL_PASSWORD": Self.smtp,
            "LEADFLOW_HANDLER_SMS_PASSWORD": Self.smsToken,
            "LEADFLOW_HANDLER_WEBHOOK_SECRET": Self.signing,
        ]
        let dev = try ChildProcess(
            name: "dev",
            arguments: [
                "dev", "--config", "\(folder)/leadflow.yaml", "--set", "ingest.endpoint=tcp://127.0.0.1:\(ingestPort)",
                "--set", "ingest.events_endpoint=", "--set", "scheduler.events_endpoint=inproc://secret-events",
            ],
            logPath: "\(folder)/dev.log", environment: environment)
        defer { dev.send(SIGKILL) }
        let curl = CurlWorker(name: "test.secrets")
        defer { curl.shutdown() }
        let base = "http://127.0.0.1:\(httpPort)"
        try await eventually("the collector answers /healthz", timeout: .seconds(60)) {
            if let termination = dev.termination { throw TimedOut(description: "dev ended: \(termination)\n\(dev.tail())") }
            return (try? await curl.perform(HTTPRequest(url: base + "/healthz")))?.status == 200
        }

        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let client = try await LeadflowClient.connect(to: "tcp://127.0.0.1:\(ingestPort)", logger: logger)
        let pipeline = try PipelineFile.load(path: "\(PipelineApplyTests.examples)/three-step.yaml")
        _ = try await client.upsertPipeline(org: "acme", pipeline)
        let leads = 20
        for index in 0..<leads {
            _ = try await client.upsertLead(org: "acme", .with {
                $0.externalID = "secret-\(index)"
                $0.email = "lead\(index)@example.org"
                $0.phone = "+1555010\(String(format: "%04d", index))"
                $0.firstName = "Lead \(index)"
            })
            _ = try await client.enroll(org: "acme", .with {
                $0.externalID = "secret-\(index)"
                $0.pipeline = pipeline.name
            })
        }
        await client.close()
        try await eventually("every email and SMS reached its provider", timeout: .seconds(60)) {
            smtp.receivedMessages.count >= leads && provider.recordedRequests.count >= leads
        }
        // The credentials were used: the SMTP server authenticated the user, the provider got basic auth.
        #expect(smtp.receivedMessages.allSatisfy { $0.authUser == "mailer" })
        #expect(provider.recordedRequests.first?.header("Authorization")
            == "Basic " + Data("AC1:\(Self.smsToken)".utf8).base64EncodedString())

        let metrics = try await curl.perform(HTTPRequest(url: base + "/metrics"))
        let alerts = try await curl.perform(HTTPRequest(url: base + "/alerts"))
        #expect(metrics.status == 200 && alerts.status == 200)
        // The admin API runs in leadflow dev too; its token is a secret like the others.
        let made = try await LeadflowExecutable.run(["admin", "token", "create", "--name", "leak", "--role", "viewer"], environment: environment)
        let adminToken = made.output.trimmingCharacters(in: .newlines)
        #expect(made.status == 0 && adminToken.hasPrefix("lfa_"), "\(made.errors)")
        let ready = try await curl.perform(HTTPRequest(url: "http://127.0.0.1:\(adminPort)/readyz"))
        let listed = try await curl.perform(
            HTTPRequest(url: "http://127.0.0.1:\(adminPort)/v1/dead-letters", headers: ["Authorization": "Bearer \(adminToken)"]))
        #expect(ready.status == 200 && listed.status == 200, "\(ready) \(listed)")
        dev.send(SIGTERM)
        let termination = await dev.waitForExit(timeout: .seconds(60))
        #expect(termination != nil, "leadflow dev did not stop on SIGTERM")
        // A normal stop: every service, the admin API's HTTP server included, shuts down without an error line.
        let errors = dev.output.split(separator: "\n").filter { $0.contains(" error ") || $0.contains(" critical ") }
        #expect(errors.isEmpty, "\(errors)")

        var leaks = Self.leaks(in: dev.output, "leadflow dev's output")
        if dev.output.contains(adminToken) { leaks.append("leadflow dev's output contains the admin token") }
        leaks += Self.leaks(in: String(decoding: ready.body + listed.body, as: UTF8.self), "the admin API")
        leaks += Self.leaks(in: (try? String(contentsOfFile: "\(folder)/collector.log", encoding: .utf8)) ?? "", "the collector log")
        leaks += Self.leaks(in: String(decoding: metrics.body, as: UTF8.self), "/metrics")
        leaks += Self.leaks(in: String(decoding: alerts.body, as: UTF8.self), "/alerts")

        // --help of every service, with the secrets in the environment and the file.
        for command in [["dev"], ["ingest"], ["scheduler"], ["handler", "email"], ["collector"], ["admin", "serve"]] {
            let help = try await LeadflowExecutable.run(command + ["--config", "\(folder)/leadflow.yaml", "--help"], environment: environment)
            leaks += Self.leaks(in: help.output + help.errors, "leadflow \(command.joined(separator: " ")) --help")
        }
        // A configuration error next to a secret: a YAML syntax error on the password's line, and a setting
        // that cannot be used while secrets are set.
        // (`a: b: c` is a syntax error on the password's own line, which Yams' description would quote.)
        try "handler:\n  email:\n    password: \(Self.smtp): x\n".write(
            toFile: "\(folder)/broken.yaml", atomically: true, encoding: .utf8)
        let broken = try await LeadflowExecutable.run(["dev", "--config", "\(folder)/broken.yaml"], environment: environment)
        #expect(broken.status != 0)
        #expect(broken.errors.contains("\(folder)/broken.yaml:3:"), "\(broken.errors)")
        leaks += Self.leaks(in: broken.output + broken.errors, "a YAML syntax error")
        let invalid = try await LeadflowExecutable.run(
            ["handler", "email", "--config", "\(folder)/leadflow.yaml", "--set", "handler.email.max_in_flight=many"],
            environment: environment)
        #expect(invalid.status != 0)
        leaks += Self.leaks(in: invalid.output + invalid.errors, "an invalid setting")
        #expect(leaks.isEmpty, "\(leaks)")
    }
}
