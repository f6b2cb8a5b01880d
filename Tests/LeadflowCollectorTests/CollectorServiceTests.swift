import Curl
import Foundation
import LeadflowBus
import LeadflowCollector
import LeadflowProto
import LeadflowTestKit
import Logging
import Synchronization
import Testing
import ZeroMQ

/// The collector as a service: measurements published on real ZeroMQ sockets, percentiles read back over its
/// HTTP endpoint, slow-operation lines, an alert that fires once and resolves once on the bus and in a real
/// Alertmanager, and `/metrics` accepted by promtool.
@Suite("Collector service")
struct CollectorServiceTests {
    /// Rules that react at once: no `for`, no `resolve_for`, one sample is enough.
    static let rules = """
        slow_operations:
          warning: 100ms
          error: 1s
        rules:
          - name: operation_slow
            kind: duration
            severity: warning
            percentile: p99
            above: 100ms
            min_count: 1
            resolve_for: 0s
            summary: "{component}.{operation} p99 {value} > {threshold}"
        """

    /// Lines the collector wrote, awaitable one by one.
    final class Lines: Sendable {
        let stream: AsyncStream<String>
        let continuation: AsyncStream<String>.Continuation
        init() { (stream, continuation) = AsyncStream.makeStream(of: String.self) }
        var sink: LineSink { LineSink { [continuation] line in continuation.yield(line) } }
    }

    static func envelope(_ measurement: Leadflow_V1_Measurement) throws -> Envelope {
        try Envelope(
            subject: try Subject(tokens: ["metrics", measurement.component, measurement.operation]), message: measurement)
    }

    @Test("percentiles, one breach line, an alert fired and resolved once, promtool-clean /metrics")
    func endToEnd() async throws {
        let context = try ZMQContext()
        defer { context.shutdown() }
        try await TestAlertmanager.withAlertmanager { alertmanager in
            let id = UUID().uuidString
            var configuration = CollectorConfiguration()
            configuration.metricsEndpoint = "inproc://metrics-\(id)"
            configuration.alertsEndpoint = "inproc://alerts-\(id)"
            configuration.httpAddress = "127.0.0.1:0"
            configuration.alertmanagerURLs = [alertmanager.baseURL]
            configuration.evaluateInterval = .milliseconds(50)
            configuration.store.window = 3
            configuration.store.windowSlots = 3
            let lines = Lines()
            let collector = try await CollectorService.start(
                configuration: configuration, rules: try RuleFileDecoder().decode(yaml: Self.rules, file: "test.yaml"),
                context: context, lines: lines.sink, logger: Logger(label: "collector"))
            let running = Task { try await collector.run() }
            let alerts = try await BusSubscriber.start(
                context: context, name: "test.alerts", endpoints: [.connect("inproc://alerts-\(id)")],
                patterns: [try SubjectPattern("alert.>")])
            let publisher = try await BusPublisher.start(
                context: context, name: "test.metrics", endpoints: [.connect("inproc://metrics-\(id)")])
            let curl = CurlWorker(name: "test.collector")
            let base = "http://127.0.0.1:\(collector.httpPort)"

            // A PUB drops what it sends before the SUB's subscription reaches it: warm up until one arrives.
            try await eventually("the collector receives a warm-up measurement", timeout: .seconds(20)) {
                _ = publisher.publish(try Self.envelope(Measurements.span("test", "warmup", milliseconds: 1)))
                return collector.statistics.received > 0
            }
            // 200 batch commits of 0.25 … 50 ms: under every threshold.
            for step in 1...200 {
                #expect(publisher.publish(try Self.envelope(Measurements.span("ingest", "batch_commit", milliseconds: Double(step) * 0.25, items: 10, queries: 3))))
            }
            // One slow claim, with its context.
            let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
            #expect(publisher.publish(try Self.envelope(Measurements.span("scheduler", "claim", milliseconds: 250, items: 7, queries: 2, org: "acme", traceID: traceID))))
            // Two malformed messages among them: other measurements keep flowing.
            #expect(publisher.publish(Envelope(subject: try Subject("metrics.scheduler.claim"), payload: [0xFF, 0xFF, 0xFF])))
            #expect(publisher.publish(try Envelope(subject: try Subject("metrics.scheduler.dispatch"), message: Measurements.span("scheduler", "claim", milliseconds: 1))))

            var lineIterator = lines.stream.makeAsyncIterator()
            // The breach line and the alert's firing line: the rule may be evaluated before the receiving loop
            // has written the breach, so their order is not fixed (CI saw the firing line first on a starved
            // machine); both must come, once each.
            let firstLines = [try #require(await lineIterator.next()), try #require(await lineIterator.next())]
            let breachLine = try #require(firstLines.first { $0.contains("\"event\":\"slow_operation\"") })
            let firingLine = try #require(firstLines.first { $0.contains("\"event\":\"alert_firing\"") })
            let breach = try #require(try JSONSerialization.jsonObject(with: Data(breachLine.utf8)) as? [String: Any])
            #expect(breach["event"] as? String == "slow_operation")
            #expect(breach["level"] as? String == "warning")
            #expect(breach["component"] as? String == "scheduler")
            #expect(breach["operation"] as? String == "claim")
            #expect(breach["org"] as? String == "acme")
            #expect(breach["trace_id"] as? String == traceID)
            #expect((breach["item_count"] as? NSNumber)?.intValue == 7)
            #expect((breach["db_queries"] as? NSNumber)?.intValue == 2)
            #expect(abs(((breach["duration_ms"] as? NSNumber)?.doubleValue ?? 0) - 250) < 0.5)

            // The alert fires on the bus, once.
            let firing = try #require(await alerts.next())
            #expect(firing.subject.string == "alert.warning.operation_slow")
            let firingAlert = try firing.decode(Leadflow_V1_Alert.self)
            #expect(firingAlert.state == .firing)
            #expect(firingAlert.labels["component"] == "scheduler")
            #expect(firingAlert.labels["operation"] == "claim")
            #expect(firingAlert.threshold == 0.1)

            // Percentiles over HTTP match what was sent (HdrHistogram keeps 3 significant digits).
            let summaryResponse = try await curl.perform(HTTPRequest(url: base + "/api/v1/summary"))
            #expect(summaryResponse.status == 200)
            let summary = try CollectorSummary.decode(Data(summaryResponse.body))
            let commits = try #require(summary.spans.first { $0.component == "ingest" && $0.operation == "batch_commit" })
            #expect(commits.count == 200)
            #expect(abs(commits.p50Seconds - 0.025) <= 0.025 * 0.002)
            #expect(abs(commits.p99Seconds - 0.0495) <= 0.0495 * 0.002)
            #expect(abs(commits.maxSeconds - 0.050) <= 0.050 * 0.002)
            #expect(summary.statistics.malformed == 2)

            // /alerts and Alertmanager list it while it fires.
            let listed = try await curl.perform(HTTPRequest(url: base + "/alerts"))
            #expect(String(decoding: listed.body, as: UTF8.self).contains("\"rule\":\"operation_slow\""))
            try await eventually("Alertmanager lists operation_slow", timeout: .seconds(20)) {
                try await alertmanager.alerts().contains { $0.labels["alertname"] == "operation_slow" && $0.labels["operation"] == "claim" }
            }

            // /metrics passes Prometheus's own checker; /healthz answers.
            let metrics = try await curl.perform(HTTPRequest(url: base + "/metrics"))
            #expect(metrics.status == 200)
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(text.contains("# TYPE "))
            let check = try await CommandRun.run("/usr/bin/promtool", ["check", "metrics"], input: text)
            #expect(check.status == 0, "\(check.output)\(check.errors)")
            #expect(try await curl.perform(HTTPRequest(url: base + "/healthz")).status == 200)

            // Once the slow claim leaves the window the alert resolves: once, on the bus and in Alertmanager.
            let resolved = try #require(await alerts.next())
            #expect(resolved.subject.string == "alert.warning.operation_slow")
            #expect(try resolved.decode(Leadflow_V1_Alert.self).state == .resolved)
            try await eventually("Alertmanager drops the resolved alert", timeout: .seconds(20)) {
                try await alertmanager.alerts().isEmpty
            }
            let evaluations = collector.statistics.evaluations
            try await eventually("five more evaluations", timeout: .seconds(20)) {
                collector.statistics.evaluations >= evaluations + 5
            }
            #expect(collector.statistics.transitions == 2)
            #expect(collector.statistics.breaches == 1)
            let resolvedLine = try #require(await lineIterator.next())
            #expect(firingLine.contains("\"rule\":\"operation_slow\""), "\(firingLine)")
            #expect(resolvedLine.contains("\"event\":\"alert_resolved\""), "\(resolvedLine)")

            running.cancel()
            _ = await running.result
            await publisher.close()
            await alerts.close()
            curl.shutdown()
        }
    }
}
