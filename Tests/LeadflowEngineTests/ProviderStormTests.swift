import Foundation
import LeadflowClient
import LeadflowConfig
import LeadflowEngine
import LeadflowHandlers
import LeadflowPipeline
import LeadflowProto
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// A provider that fails in bursts, through the whole engine and a real HTTP server: retries follow the
/// policy, the breaker opens and closes, exhausted actions are dead, and a replay completes them.
@Suite("Provider storms")
struct ProviderStormTests {
    @Test("a 500 storm: the breaker opens, attempts run out into dead letters; replayed after recovery they complete, one key each")
    func serverErrorStorm() async throws {
        try await withStormEngine { engine, server, client in
            server.route("/hooks/storm", method: "POST", .init(status: 500, text: "down"))
            try await Self.enroll(["a", "b", "c", "d"], pipeline: "storm", path: "/hooks/storm", client: client, server: server)
            let database = engine.database
            try await eventually("all four are dead") { try await Self.count("status = 'dead'", database) == 4 }

            let storm = server.recordedRequests.filter { $0.path == "/hooks/storm" }
            #expect(storm.count == 12, "three real attempts per action; a snooze never reaches the provider")
            let webhook = try #require(engine.handlers.first { $0.actionType == .webhook })
            #expect(webhook.statistics.breakersOpened >= 1)
            #expect(webhook.statistics.snoozed >= 1, "dispatches that arrived while it was open were snoozed")
            let errors = try await database.query("SELECT DISTINCT last_error FROM lead_stage_actions WHERE status = 'dead'")
                .map { try $0.decode(String.self, at: 0) }
            #expect(errors.count == 1 && errors[0].contains("500"), "\(errors)")

            server.route("/hooks/storm", method: "POST", .init(status: 200, text: "{}"))
            let report = try await database.withTransaction { connection in
                var events = LeadEventLog(recording: false)
                return try DeadLetters.replay(.matching(DeadLetterFilter(org: "acme")), events: &events, on: connection)
            }
            #expect(report.applied.count == 4)
            try await eventually("all four succeeded") { try await Self.count("status = 'succeeded'", database) == 4 }
            #expect(webhook.statistics.breakersClosed >= 1, "a successful probe closed it")
            let keys = server.recordedRequests.filter { $0.path == "/hooks/storm" }.compactMap { $0.header("Idempotency-Key") }
            #expect(Set(keys).count == 4, "every attempt of an action, replay included, carries its one key")
        }
    }

    @Test("a 429 with Retry-After: the next attempt waits as long as the provider asked, not the retry base")
    func retryAfterHonoured() async throws {
        // Retry-After is honoured up to four times the retry cap (RetryPolicy): 2 s here.
        try await withStormEngine(["scheduler.retry_cap": "500ms"]) { engine, server, client in
            server.route("/hooks/busy", method: "POST", .init(status: 429, headers: [("Retry-After", "1")], text: "slow down"))
            let clock = ContinuousClock()
            var arrivals: [ContinuousClock.Instant] = []
            try await Self.enroll(["busy"], pipeline: "busy", path: "/hooks/busy", client: client, server: server)
            for await request in server.requests where request.path == "/hooks/busy" {
                arrivals.append(clock.now)
                if arrivals.count == 2 {
                    server.route("/hooks/busy", method: "POST", .init(status: 200, text: "{}"))
                    break
                }
            }
            let gap = arrivals[1] - arrivals[0]
            #expect(gap >= .milliseconds(900), "the retry came \(gap) after the 429; the retry base is 20 ms")
            let database = engine.database
            try await eventually("the busy lead succeeded") { try await Self.count("status = 'succeeded'", database) == 1 }
            let attempts = try await database.query("SELECT attempts FROM lead_stage_actions").scalar(Int.self)
            #expect(attempts == 3 || attempts == 2, "the 429s used attempts; got \(attempts ?? 0)")
        }
    }

    // MARK: Support

    /// An engine whose webhook handler delivers over HTTP with a quick retry policy (3 attempts, 20–100 ms) and a
    /// breaker that opens after 3 failures in a row for 200 ms.
    func withStormEngine(
        _ more: [String: String] = [:], _ body: (LocalEngine, TestHTTPServer, LeadflowClient) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await TestHTTPServer.withServer { server in
                let values = try ConfigValues(
                    keys: LeadflowSettings.keys,
                    overrides: [
                        "database.url": url, "ingest.endpoint": "tcp://127.0.0.1:*", "ingest.events_endpoint": "",
                        "scheduler.events_endpoint": "", "scheduler.retry_base": "20ms", "scheduler.retry_cap": "100ms",
                        "scheduler.max_attempts": "3", "handler.webhook.driver": "http", "handler.webhook.secret": "storm",
                        "handler.webhook.breaker.consecutive_failures": "3",
                        "handler.webhook.breaker.open_duration": "200ms",
                    ].merging(more) { _, new in new })
                let settings = try LeadflowSettings.resolve(values)
                try await LocalEngine.withRunning(settings: settings, databaseURL: url, logger: EngineHarness.logger) { engine in
                    let client = try await LeadflowClient.connect(
                        to: try await engine.ingestEndpoint(), context: engine.context, logger: EngineHarness.logger)
                    try await body(engine, server, client)
                    await client.close()
                }
            }
        }
    }

    static func enroll(
        _ leads: [String], pipeline: String, path: String, client: LeadflowClient, server: TestHTTPServer
    ) async throws {
        _ = try await client.upsertPipeline(org: "acme", try PipelineDecoder().decode(yaml: """
            name: \(pipeline)
            stages:
              - name: only
                actions:
                  - webhook: {url: "\(server.baseURL)\(path)"}
            """))
        for lead in leads { _ = try await client.upsertLead(org: "acme", .with { $0.externalID = lead }) }
        let outcomes = try await client.enroll(org: "acme", leads: leads.map { lead in
            .with {
                $0.externalID = lead
                $0.pipeline = pipeline
            }
        })
        #expect(outcomes.allSatisfy { if case .success = $0 { true } else { false } })
    }

    static func count(_ condition: String, _ database: PostgresClient) async throws -> Int {
        try await database.query("SELECT count(*) FROM lead_stage_actions WHERE \(condition)").scalar(Int.self) ?? 0
    }
}
