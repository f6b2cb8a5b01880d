import Foundation
import LeadflowClient
import LeadflowConfig
import LeadflowEngine
import LeadflowHandlers
import LeadflowPipeline
import LeadflowProto
import LeadflowStore
import LeadflowTestKit
import Logging
import Postgres
import Testing

/// Everything in one process, delivering for real: a lead published through the client ends as a signed
/// webhook request on a real HTTP server, and a provider's 503 is retried until it succeeds.
@Suite("Local engine")
struct LocalEngineTests {
    @Test("enrolled leads end as signed webhook requests; a 503 is retried with the same idempotency key, then dead")
    func webhooksDelivered() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await TestHTTPServer.withServer { server in
                server.route("/hooks/lead", method: "POST", .init(status: 200, text: "{}"))
                server.route("/hooks/flaky", method: "POST", .init(status: 503, text: "busy"))
                let secret = "test-secret"
                let values = try ConfigValues(
                    keys: LeadflowSettings.keys,
                    overrides: [
                        "database.url": url, "ingest.endpoint": "tcp://127.0.0.1:*", "ingest.events_endpoint": "",
                        "scheduler.events_endpoint": "", "scheduler.retry_base": "10ms", "scheduler.retry_cap": "20ms",
                        "handler.webhook.driver": "http", "handler.webhook.secret": secret,
                    ])
                let settings = try LeadflowSettings.resolve(values)
                let engine = try await LocalEngine.start(settings: settings, databaseURL: url, logger: EngineHarness.logger)
                let running = Task { try await engine.run() }
                let client = try await LeadflowClient.connect(
                    to: try await engine.ingestEndpoint(), context: engine.context, logger: EngineHarness.logger)
                let pipeline = try PipelineDecoder().decode(yaml: """
                    name: hooks
                    stages:
                      - name: notify
                        actions:
                          - webhook:
                              url: "\(server.baseURL)/hooks/lead"
                              body: '{"id": "{{external_id}}", "name": "{{first_name}}"}'
                    """)
                _ = try await client.upsertPipeline(org: "acme", pipeline)
                for index in 0..<10 {
                    _ = try await client.upsertLead(org: "acme", .with {
                        $0.externalID = "crm-\(index)"
                        $0.firstName = "Ada \(index)"
                    })
                }
                let outcomes = try await client.enroll(org: "acme", leads: (0..<10).map { index in
                    Leadflow_V1_LeadEnroll.with {
                        $0.externalID = "crm-\(index)"
                        $0.pipeline = "hooks"
                    }
                })
                #expect(outcomes.allSatisfy { if case .success = $0 { true } else { false } })

                var received: [String: TestHTTPServer.RecordedRequest] = [:]
                for await request in server.requests where request.path == "/hooks/lead" {
                    let signature = try #require(request.header(WebhookSignature.headerName))
                    #expect(WebhookSignature.isValid(header: signature, secret: secret, body: request.body))
                    let body = try JSONDecoder().decode([String: String].self, from: Data(request.body))
                    received[body["id"] ?? ""] = request
                    if received.count == 10 { break }
                }
                #expect(Set(received.keys) == Set((0..<10).map { "crm-\($0)" }))
                #expect(received["crm-3"].map { String(decoding: $0.body, as: UTF8.self) } == #"{"id": "crm-3", "name": "Ada 3"}"#)
                #expect(Set(received.values.compactMap { $0.header("Idempotency-Key") }).count == 10)

                let database = engine.database
                try await eventually("the leads are done") { try await database.query(
                    "SELECT count(*) FROM lead_stages WHERE exit_reason = 'completed'").scalar(Int.self) == 10 }

                // A provider that keeps answering 503: three attempts, one idempotency key, then a dead letter.
                _ = try await client.upsertPipeline(org: "acme", try PipelineDecoder().decode(yaml: """
                    name: flaky
                    stages:
                      - name: notify
                        actions:
                          - webhook: {url: "\(server.baseURL)/hooks/flaky"}
                            max_attempts: 3
                    """))
                _ = try await client.enroll(org: "acme", .with {
                    $0.externalID = "crm-0"
                    $0.pipeline = "flaky"
                })
                try await eventually("the leads are done") { try await database.query(
                    "SELECT count(*) FROM lead_stage_actions WHERE status = 'dead'").scalar(Int.self) == 1 }
                let attempts = server.recordedRequests.filter { $0.path == "/hooks/flaky" }
                #expect(attempts.count == 3)
                #expect(Set(attempts.compactMap { $0.header("Idempotency-Key") }).count == 1)
                let lastError = try await database.query("SELECT last_error FROM lead_stage_actions WHERE status = 'dead'")
                    .scalar(String.self)
                #expect(lastError?.contains("503") == true, "last error: \(lastError ?? "none")")
                await client.close()
                engine.shutdown()
                try await running.value
            }
        }
    }
}
