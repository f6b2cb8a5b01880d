import Foundation
import LeadflowClient
import LeadflowConfig
import LeadflowDomain
import LeadflowEngine
import LeadflowPipeline
import LeadflowProto
import LeadflowStore
import LeadflowTestKit
import Logging
import Postgres
import Testing

/// One trace from the publisher to the provider and back: a lead enrolled through the client with a
/// `Traceparent` reaches a real HTTP server with a `traceparent` of the same trace, and the handler's and the
/// scheduler's lines about its action carry the trace id.
@Suite("Trace context end to end")
struct TraceContextEngineTests {
    static let trace = TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")!

    @Test("a publisher's trace reaches the webhook and every log line of the work; without one, or with an invalid one, a new trace does")
    func endToEnd() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await TestHTTPServer.withServer { server in
                server.route("/hooks/trace", method: "POST", .init(status: 200, text: "{}"))
                let values = try ConfigValues(
                    keys: LeadflowSettings.keys,
                    overrides: [
                        "database.url": url, "ingest.endpoint": "tcp://127.0.0.1:*", "ingest.events_endpoint": "",
                        "scheduler.events_endpoint": "", "handler.webhook.driver": "http",
                        "handler.webhook.secret": "secret",
                    ])
                let logs = CapturedLogs()
                try await LocalEngine.withRunning(
                    settings: try LeadflowSettings.resolve(values), databaseURL: url, logger: logs.logger()
                ) { engine in
                    let client = try await LeadflowClient.connect(
                        to: try await engine.ingestEndpoint(), context: engine.context, logger: EngineHarness.logger)
                    _ = try await client.upsertPipeline(org: "acme", try PipelineDecoder().decode(yaml: """
                        name: traced
                        stages:
                          - name: notify
                            actions:
                              - webhook:
                                  url: "\(server.baseURL)/hooks/trace"
                                  body: '{"id": "{{external_id}}"}'
                        """))
                    let traceparents = ["traced": Self.trace.description, "invalid": "00-not-a-trace-01"]
                    for id in ["traced", "untraced", "invalid"] {
                        _ = try await client.enroll(
                            org: "acme", .with {
                                $0.externalID = id
                                $0.pipeline = "traced"
                            }, msgID: "enroll-\(id)", traceparent: traceparents[id])
                    }

                    var received: [String: TraceParent] = [:]
                    for await request in server.requests where request.path == "/hooks/trace" {
                        let body = try JSONDecoder().decode([String: String].self, from: Data(request.body))
                        let traceparent = try #require(request.header("traceparent").flatMap(TraceParent.init))
                        received[body["id"] ?? ""] = traceparent
                        if received.count == 3 { break }
                    }
                    let traced = try #require(received["traced"])
                    #expect(traced.traceID == Self.trace.traceID)
                    #expect(traced.parentID != Self.trace.parentID)
                    let others = [received["untraced"], received["invalid"]].compactMap { $0?.traceID }
                    #expect(others.count == 2)
                    #expect(Set(others + [Self.trace.traceID]).count == 3)

                    let database = engine.database
                    let actionID = try #require(
                        try await database.query(
                            """
                            SELECT a.id FROM lead_stage_actions a JOIN leads l ON l.id = a.lead_id
                            WHERE l.external_id = 'traced'
                            """
                        ).scalar(Int.self))
                    let stored = try await database.query(
                        "SELECT s.trace_parent FROM lead_stages s JOIN leads l ON l.id = s.lead_id WHERE l.external_id = 'traced'"
                    ).scalar(String.self)
                    #expect(stored == Self.trace.description)

                    // The result is applied after the provider answered: wait for the scheduler's line about it.
                    try await eventually("the traced result was applied") {
                        logs.all.contains { $0.message == "result applied" && $0.metadata["action.id"] == "\(actionID)" }
                    }
                    let lines = logs.all.filter { $0.metadata["action.id"] == "\(actionID)" }
                    let handlerLines = lines.filter { $0.metadata["component"] == "handler.webhook" }
                    #expect(handlerLines.contains { $0.message == "delivered" })
                    #expect(lines.contains { $0.message == "result applied" && $0.metadata["component"] == "scheduler" })
                    for line in lines {
                        #expect(line.metadata[TraceParent.logMetadataKey] == Self.trace.traceID, "\(line.message)")
                    }

                    // The invalid traceparent was replaced, not rejected, and noted once.
                    #expect(engine.ingest.statistics.invalidTraceparents == 1)
                    let noted = logs.all.filter { $0.message == "invalid traceparent replaced by a new trace" }
                    #expect(noted.map { $0.metadata["msg.id"] } == ["enroll-invalid"])
                    #expect(noted.first?.metadata[TraceParent.logMetadataKey] == received["invalid"]?.traceID)
                    await client.close()
                }
            }
        }
    }
}
