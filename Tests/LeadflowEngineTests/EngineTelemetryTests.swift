import Foundation
import LeadflowClient
import LeadflowConfig
import LeadflowEngine
import LeadflowProto
import LeadflowStore
import LeadflowTelemetry
import LeadflowTestKit
import Synchronization
import Testing
import ZeroMQ

/// The whole engine with telemetry on, publishing to a real SUB socket: every operation of the vocabulary
/// arrives with the counts that make it useful.
@Suite("Engine telemetry")
struct EngineTelemetryTests {
    @Test("a run publishes batch_commit, claim, dispatch, internal_actions, result_apply, delivery, step_lag, db_query, counters and gauges")
    func engineMeasures() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let sinkContext = try ZMQContext()
            let sink = try await MeasurementSink.bind(context: sinkContext, endpoint: "tcp://127.0.0.1:*")
            let values = try ConfigValues(
                keys: LeadflowSettings.keys,
                overrides: [
                    "database.url": url, "ingest.endpoint": "tcp://127.0.0.1:*", "ingest.events_endpoint": "",
                    "scheduler.events_endpoint": "", "telemetry.endpoint": try await sink.boundEndpoint(),
                    "telemetry.gauge_interval": "200ms",
                ])
            let settings = try LeadflowSettings.resolve(values)
            let engine = try await LocalEngine.start(settings: settings, databaseURL: url, logger: EngineHarness.logger)
            let running = Task { try await engine.run() }

            // The first gauges to arrive prove the publisher's connection; then the leads go in.
            let connected = try await within(.seconds(30)) { await sink.next() != nil }
            try #require(connected == true, "no measurement arrived from the engine")
            let client = try await LeadflowClient.connect(
                to: try await engine.ingestEndpoint(), context: engine.context, logger: EngineHarness.logger)
            try await OnboardingEnrollment.send(leads: 20, org: "acme", through: client)

            let seen = try await within(.seconds(60)) { () -> Set<String> in
                var seen: Set<String> = []
                while seen.count < Required.all.count, let (subject, measurement) = await sink.next() {
                    if let name = Required.match(subject, measurement) { seen.insert(name) }
                }
                return seen
            } ?? []
            #expect(seen == Set(Required.all), "missing: \(Set(Required.all).subtracting(seen).sorted())")

            await client.close()
            engine.shutdown()
            try await running.value
            #expect((engine.telemetryPublisher?.statistics.sent ?? 0) > 0)
            #expect(engine.telemetryPublisher?.statistics.dropped == 0)
            await sink.close()
            sinkContext.shutdown()
        }
    }

    /// What must arrive, each with the fields that make it useful.
    enum Required {
        static let all = [
            "ingest.batch_commit", "ingest.messages", "ingest.db_query", "scheduler.claim", "scheduler.dispatch",
            "scheduler.internal_actions", "scheduler.result_apply", "scheduler.results", "scheduler.db_query",
            "scheduler.backlog", "scheduler.dead_letters", "scheduler.process_resident_bytes",
            "email_handler.delivery", "email_handler.step_lag", "sms_handler.delivery",
        ]

        static func match(_ subject: String, _ m: Leadflow_V1_Measurement) -> String? {
            let name = "\(m.component).\(m.operation)"
            guard subject == "metrics.\(name)" else { return nil }
            let ok: Bool
            switch name {
            case "ingest.batch_commit", "scheduler.claim", "scheduler.result_apply":
                ok = m.kind == .span && m.itemCount > 0 && m.dbQueries > 0 && m.outcome == "ok"
            case "scheduler.dispatch", "scheduler.internal_actions":
                ok = m.kind == .span && m.itemCount > 0
            case "ingest.messages":
                ok = m.kind == .counter && m.outcome == "accepted" && m.value > 0
            case "scheduler.results":
                ok = m.kind == .counter && m.outcome == "succeeded" && ["email", "sms"].contains(m.actionType) && m.value > 0
            case "ingest.db_query":
                ok = m.kind == .span && m.attributes["statement"] == "processed_insert" && m.outcome == "ok"
            case "scheduler.db_query":
                ok = m.kind == .span && m.attributes["statement"] == "queue_claim" && m.outcome == "ok"
            case "scheduler.backlog", "scheduler.dead_letters":
                ok = m.kind == .gauge
            case "scheduler.process_resident_bytes":
                ok = m.kind == .gauge && m.value > 0
            case "email_handler.delivery", "sms_handler.delivery":
                ok = m.kind == .span && m.org == "acme" && m.outcome == "succeeded" && m.itemCount == 1
                    && m.actionType == String(m.component.prefix { $0 != "_" })
            case "email_handler.step_lag":
                ok = m.kind == .span && m.org == "acme" && m.actionType == "email"
                    && (m.duration.seconds > 0 || m.duration.nanos > 0)
            default:
                ok = false
            }
            return ok ? name : nil
        }
    }
}
