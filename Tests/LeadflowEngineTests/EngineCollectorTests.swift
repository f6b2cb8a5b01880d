import Curl
import Foundation
import LeadflowClient
import LeadflowCollector
import LeadflowConfig
import LeadflowEngine
import LeadflowProto
import LeadflowStore
import LeadflowTestKit
import Logging
import Testing
import ZeroMQ

/// The engine's services publishing to a real collector over tcp: what the collector counts is what the engine
/// did, and its `/metrics` of a real run passes promtool.
@Suite("Engine and collector")
struct EngineCollectorTests {
    @Test("the collector counts every delivery, step lag and claim of a run, with their items and queries")
    func collectorSeesTheRun() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let collectorContext = try ZMQContext()
            defer { collectorContext.shutdown() }
            var collectorConfiguration = CollectorConfiguration()
            collectorConfiguration.metricsEndpoint = "tcp://127.0.0.1:*"
            collectorConfiguration.alertsEndpoint = nil
            collectorConfiguration.httpAddress = "127.0.0.1:0"
            collectorConfiguration.evaluateInterval = .milliseconds(100)
            let collector = try await CollectorService.start(
                configuration: collectorConfiguration, rules: try DefaultRules.ruleSet(), context: collectorContext,
                lines: LineSink { _ in }, logger: EngineHarness.logger)
            let collecting = Task { try await collector.run() }

            let values = try ConfigValues(
                keys: LeadflowSettings.keys,
                overrides: [
                    "database.url": url, "ingest.endpoint": "tcp://127.0.0.1:*", "ingest.events_endpoint": "",
                    "scheduler.events_endpoint": "", "telemetry.endpoint": try await collector.metricsEndpoint(),
                    "telemetry.gauge_interval": "200ms",
                ])
            let engine = try await LocalEngine.start(
                settings: try LeadflowSettings.resolve(values), databaseURL: url, logger: EngineHarness.logger)
            let running = Task { try await engine.run() }
            // The engine's gauges arrive every 200 ms once its publisher is connected: then the leads go in.
            try await eventually("the collector receives the engine's gauges", timeout: .seconds(30)) {
                await collector.state.snapshot().gauges.contains { $0.key.operation == "backlog" }
            }

            let leads = 20
            let client = try await LeadflowClient.connect(
                to: try await engine.ingestEndpoint(), context: engine.context, logger: EngineHarness.logger)
            try await OnboardingEnrollment.send(leads: leads, org: "acme", through: client)

            @Sendable func span(_ component: String, _ operation: String) async -> SpanFigures? {
                await collector.state.snapshot().spans.first { $0.key.component == component && $0.key.operation == operation }
            }
            try await eventually("the collector has counted every delivery", timeout: .seconds(60)) {
                let email = await span("email_handler", "delivery")?.count
                let sms = await span("sms_handler", "delivery")?.count
                return email == UInt64(leads) && sms == UInt64(leads)
            }
            for component in ["email_handler", "sms_handler"] {
                let delivery = try #require(await span(component, "delivery"))
                #expect(delivery.outcomes == ["succeeded": UInt64(leads)])
                let lag = try #require(await span(component, "step_lag"))
                #expect(lag.count == UInt64(leads))
                #expect(lag.p99 >= lag.p50 && lag.p50 > 0)
            }
            // Every result applied, counted in items; claims and batch commits counted their queries.
            try await eventually("every result is applied", timeout: .seconds(30)) {
                await span("scheduler", "result_apply")?.cumulative.items == UInt64(2 * leads)
            }
            // Claims took every email and SMS; each `wait 0s` ran once, in a claim or in the transaction that
            // applied its email's result — either way it is counted once in `internal_actions`.
            let claim = try #require(await span("scheduler", "claim"))
            #expect(claim.cumulative.items >= UInt64(2 * leads))
            #expect(claim.cumulative.dbQueries >= claim.count)
            try await eventually("every wait is counted as an internal action", timeout: .seconds(30)) {
                await span("scheduler", "internal_actions")?.cumulative.items == UInt64(leads)
            }
            let commits = try #require(await span("ingest", "batch_commit"))
            #expect(commits.cumulative.items == UInt64(2 * leads + 1))
            #expect(try #require(await span("scheduler", "db_query")).count > 0)

            // The /metrics of a real run passes Prometheus's own checker.
            let curl = CurlWorker(name: "test.metrics")
            defer { curl.shutdown() }
            let metrics = try await curl.perform(HTTPRequest(url: "http://127.0.0.1:\(collector.httpPort)/metrics"))
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(text.contains("leadflow_operation_duration_seconds_count{component=\"email_handler\",operation=\"delivery\"} \(leads)"))
            let check = try await CommandRun.run("/usr/bin/promtool", ["check", "metrics"], input: text)
            #expect(check.status == 0, "\(check.output)\(check.errors)")
            #expect(collector.statistics.malformed == 0)

            await client.close()
            engine.shutdown()
            try await running.value
            collecting.cancel()
            _ = await collecting.result
        }
    }
}
