import Foundation
import LeadflowProto
import LeadflowTestKit
import Testing

@testable import LeadflowCollector

@Suite struct BreachLogLineTests {
    let t0 = Date(timeIntervalSince1970: 1_750_000_000.25)

    @Test func exactlyOneBreachPerSlowSpanAndNoneForFastOnes() {
        let thresholds = SlowOperationThresholds(
            overrides: [SpanKey(component: "scheduler", operation: "claim"): .init(warning: 0.5, error: nil)],
            exclude: [try! SeriesPattern("*.step_lag")])
        let spans: [(Leadflow_V1_Measurement, Breach.Level?)] = [
            (Measurements.span("ingest", "batch_commit", milliseconds: 99), nil),
            (Measurements.span("ingest", "batch_commit", milliseconds: 100), nil),
            (Measurements.span("ingest", "batch_commit", milliseconds: 100.5), .warning),
            (Measurements.span("ingest", "batch_commit", milliseconds: 1_001), .error),
            (Measurements.span("scheduler", "claim", milliseconds: 300), nil),
            (Measurements.span("scheduler", "claim", milliseconds: 5_000), .warning),
            (Measurements.span("email_handler", "step_lag", milliseconds: 60_000), nil),
            (Measurements.gauge("scheduler", "backlog", 5_000), nil),
        ]
        for (span, level) in spans {
            #expect(thresholds.breach(for: span, at: t0)?.level == level, "\(span.operation) \(span.duration)")
        }
    }

    @Test func aBreachIsOneJSONLineWithItsContext() throws {
        let span = Measurements.span(
            "email_handler", "delivery", milliseconds: 1_234.5678, items: 1, queries: 0, org: "acme",
            actionType: "email", outcome: "failed", traceID: "4bf92f3577b34da6a3ce929d0e0e4736",
            attributes: ["provider": "http://127.0.0.1:8025", "error_class": "timeout"])
        let breach = try #require(SlowOperationThresholds().breach(for: span, at: t0))
        let line = BreachLogLine.encode(breach)
        #expect(!line.contains("\n"))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["time"] as? String == "2025-06-15T15:06:40.250Z")
        #expect(object["level"] as? String == "error")
        #expect(object["event"] as? String == "slow_operation")
        #expect(object["component"] as? String == "email_handler")
        #expect(object["operation"] as? String == "delivery")
        #expect(object["duration_ms"] as? Double == 1_234.568)
        #expect(object["threshold_ms"] as? Double == 1_000)
        #expect(object["item_count"] as? Int == 1)
        #expect(object["db_queries"] == nil)
        #expect(object["org"] as? String == "acme")
        #expect(object["action_type"] as? String == "email")
        #expect(object["outcome"] as? String == "failed")
        #expect(object["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(object["attributes"] as? [String: String] == ["provider": "http://127.0.0.1:8025", "error_class": "timeout"])
        #expect(line.hasPrefix("{\"time\":\"2025-06-15T15:06:40.250Z\",\"level\":\"error\",\"event\":\"slow_operation\","))
    }

    @Test func emptyFieldsAreLeftOut() {
        let breach = Breach(
            time: t0, level: .warning, component: "scheduler", operation: "claim", duration: 0.2, threshold: 0.1)
        let object = try? JSONSerialization.jsonObject(with: Data(BreachLogLine.encode(breach).utf8)) as? [String: Any]
        #expect(Set(object?.keys ?? [:].keys) == [
            "time", "level", "event", "component", "operation", "duration_ms", "threshold_ms",
        ])
    }

    @Test(arguments: [
        "say \"hi\"", "back\\slash", "two\nlines", "tab\tand\r", "bell\u{07}nul\u{00}esc\u{1B}", "naïve 日本 🚀",
        "line\u{2028}separator", "</script>",
    ])
    func stringsAreEscapedSoTheLineParsesBack(text: String) throws {
        let breach = Breach(
            time: t0, level: .warning, component: "ingest", operation: "batch_commit", duration: 0.2, threshold: 0.1,
            org: text, attributes: [text: text])
        let line = BreachLogLine.encode(breach)
        #expect(!line.contains("\n") && !line.contains("\r"))
        #expect(line.unicodeScalars.allSatisfy { $0.value >= 0x20 })
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["org"] as? String == text)
        #expect(object["attributes"] as? [String: String] == [text: text])
    }

    @Test func anAlertTransitionIsOneJSONLine() throws {
        let alert = FiringAlert(
            rule: "breaker_open", severity: .warning, labels: ["provider": "smtp://a"], summary: "open \"a\"",
            value: 1, threshold: 1, unit: .number, startedAt: t0)
        let line = AlertLogLine.encode(AlertTransition(state: .resolved, alert: alert, endedAt: t0 + 60))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "alert_resolved")
        #expect(object["level"] as? String == "warning")
        #expect(object["summary"] as? String == "open \"a\"")
        #expect(object["ended_at"] as? String == "2025-06-15T15:07:40.250Z")
        #expect(object["labels"] as? [String: String] == ["provider": "smtp://a"])
    }
}

@Suite struct PrometheusExpositionTests {
    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)

    static func snapshot() throws -> MetricsSnapshot {
        var store = try MetricsStore()
        for milliseconds in [0.4, 3, 80, 120, 1_500, 30_000] {
            store.record(Measurements.span("scheduler", "claim", milliseconds: milliseconds, items: 3), at: t0)
            store.record(
                Measurements.span("email_handler", "delivery", milliseconds: milliseconds, outcome: "succeeded"), at: t0)
        }
        store.record(Measurements.span("email_handler", "delivery", milliseconds: 2, outcome: "retry"), at: t0)
        store.record(Measurements.span("Odd-Component", "op.x", milliseconds: 2), at: t0)  // malformed: `.`
        store.record(Measurements.span("Odd-Component", "op-x", milliseconds: 2), at: t0)
        store.record(Measurements.counter("ingest", "messages", 3, outcome: "accepted"), at: t0)
        store.record(Measurements.counter("ingest", "messages", 1, outcome: "rejected"), at: t0)
        store.record(
            Measurements.counter("email_handler", "breaker_transition", 1,
                attributes: ["to": "open", "provider": "http://127.0.0.1:8025", "le": "x", "9lives": "y"]), at: t0)
        store.record(Measurements.gauge("scheduler", "backlog", 12), at: t0)
        store.record(Measurements.gauge("scheduler", "backlog", 7, actionType: "email"), at: t0)
        store.record(
            Measurements.gauge("scheduler", "in_flight", 2, org: "a \"quoted\" org\\ with\nnewline", actionType: "sms"),
            at: t0)
        store.record(Measurements.gauge("scheduler", "process_cpu_seconds", 1.25), at: t0)
        store.recordMalformed()
        return store.snapshot(at: t0)
    }

    @Test("top names the organizations' pauses in force from the schedulers' paused gauges, and nothing when none holds")
    func topShowsPauses() throws {
        var store = try MetricsStore()
        store.record(Measurements.gauge("scheduler", "paused", 1, org: "acme", attributes: ["scope": "all"]), at: Self.t0)
        store.record(Measurements.gauge("scheduler", "paused", 1, org: "globex", attributes: ["scope": "sms"]), at: Self.t0)
        store.record(Measurements.gauge("scheduler", "paused", 0, org: "initech", attributes: ["scope": "email"]), at: Self.t0)
        store.record(
            Measurements.gauge("scheduler", "paused", 1, org: "initech", attributes: ["scope": "pipeline:welcome"]), at: Self.t0)
        let screen = TopScreen(
            source: "test", summary: CollectorSummary(store.snapshot(at: Self.t0)), alerts: FiringAlertsDocument([], at: Self.t0))
        #expect(
            screen.render().contains("\nPAUSED  acme (all work), globex (sms), initech (pipeline welcome)\n"), "\(screen.render())")
        let quiet = TopScreen(
            source: "test", summary: CollectorSummary(try Self.snapshot()), alerts: FiringAlertsDocument([], at: Self.t0))
        #expect(quiet.render().contains("\nPAUSED  nothing\n"))
    }

    @Test func theExpositionHasHistogramsCountersAndGauges() throws {
        let text = PrometheusExposition.render(try Self.snapshot())
        let lines = text.split(separator: "\n").map(String.init)
        let claim = "component=\"scheduler\",operation=\"claim\""
        #expect(lines.filter { $0 == "# TYPE leadflow_operation_duration_seconds histogram" }.count == 1)
        #expect(lines.contains("leadflow_operation_duration_seconds_bucket{component=\"scheduler\",le=\"0.001\",operation=\"claim\"} 1"))
        #expect(lines.contains("leadflow_operation_duration_seconds_bucket{component=\"scheduler\",le=\"0.1\",operation=\"claim\"} 3"))
        #expect(lines.contains("leadflow_operation_duration_seconds_bucket{component=\"scheduler\",le=\"10\",operation=\"claim\"} 5"))
        #expect(lines.contains("leadflow_operation_duration_seconds_bucket{component=\"scheduler\",le=\"30\",operation=\"claim\"} 6"))
        #expect(lines.contains("leadflow_operation_duration_seconds_bucket{component=\"scheduler\",le=\"+Inf\",operation=\"claim\"} 6"))
        #expect(lines.contains("leadflow_operation_duration_seconds_count{\(claim)} 6"))
        let sum = lines.first { $0.hasPrefix("leadflow_operation_duration_seconds_sum{\(claim)} ") }?.split(separator: " ").last
        #expect(abs((sum.flatMap { Double($0) } ?? 0) - 31.7034) < 1e-9)
        #expect(lines.contains("leadflow_operation_items_total{\(claim)} 18"))
        #expect(lines.contains("leadflow_operation_db_queries_total{\(claim)} 0"))
        #expect(lines.contains(
            "leadflow_operation_outcomes_total{component=\"email_handler\",operation=\"delivery\",outcome=\"retry\"} 1"))
        #expect(lines.contains("leadflow_operation_duration_seconds_count{component=\"Odd-Component\",operation=\"op-x\"} 1"))
        #expect(lines.contains("leadflow_messages_total{component=\"ingest\",outcome=\"accepted\"} 3"))
        #expect(lines.contains(
            "leadflow_breaker_transition_total{attr_9lives=\"y\",attr_le=\"x\",component=\"email_handler\",provider=\"http://127.0.0.1:8025\",to=\"open\"} 1"))
        #expect(lines.contains("leadflow_backlog{component=\"scheduler\"} 12"))
        #expect(lines.contains("leadflow_backlog{action_type=\"email\",component=\"scheduler\"} 7"))
        #expect(lines.contains(
            "leadflow_in_flight{action_type=\"sms\",component=\"scheduler\",org=\"a \\\"quoted\\\" org\\\\ with\\nnewline\"} 2"))
        #expect(lines.contains("leadflow_process_cpu_seconds{component=\"scheduler\"} 1.25"))
        // One TYPE line per family, however many components feed it.
        let types = lines.filter { $0.hasPrefix("# TYPE ") }
        #expect(Set(types).count == types.count)
        #expect(lines.contains("leadflow_collector_measurements_received_total 23"))
        #expect(lines.contains("leadflow_collector_measurements_malformed_total 2"))
        #expect(lines.contains("leadflow_collector_dropped_series_total 0"))
    }

    @Test func promtoolAcceptsTheExposition() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"), "promtool is not installed")
        let text = PrometheusExposition.render(try Self.snapshot())
        let report = try await CommandRun.run("/usr/bin/promtool", ["check", "metrics"], input: text)
        #expect(report.status == 0, "\(report.output)\(report.errors)\n\(text)")
        #expect((report.output + report.errors).split(separator: "\n").isEmpty, "\(report.output)\(report.errors)")
    }
}

@Suite struct AlertPayloadTests {
    let alert = FiringAlert(
        rule: "operation_slow", severity: .warning, labels: ["component": "scheduler", "operation": "claim"],
        summary: "scheduler.claim p99 140 ms > 100 ms", value: 0.14, threshold: 0.1, unit: .seconds,
        startedAt: Date(timeIntervalSince1970: 1_750_000_000))

    @Test func alertmanagerGetsItsV2Shape() throws {
        let firing = AlertTransition(state: .firing, alert: alert)
        let resolved = AlertTransition(state: .resolved, alert: alert, endedAt: alert.startedAt + 90)
        let data = AlertmanagerPayload([firing, resolved], generatorURL: "http://127.0.0.1:4251/alerts").json()
        let array = try #require(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(array.count == 2)
        let first = array[0]
        #expect(first["labels"] as? [String: String] == [
            "alertname": "operation_slow", "severity": "warning", "component": "scheduler", "operation": "claim",
        ])
        #expect(first["annotations"] as? [String: String] == [
            "summary": "scheduler.claim p99 140 ms > 100 ms", "value": "140 ms", "threshold": "100 ms",
        ])
        #expect(first["startsAt"] as? String == "2025-06-15T15:06:40.000Z")
        #expect(first["endsAt"] == nil)
        #expect(first["generatorURL"] as? String == "http://127.0.0.1:4251/alerts")
        #expect(array[1]["endsAt"] as? String == "2025-06-15T15:08:10.000Z")
        #expect(Set(first.keys) == ["labels", "annotations", "startsAt", "generatorURL"])
    }

    @Test func theFiringListAndTheSummaryDecodeBack() throws {
        let document = FiringAlertsDocument([alert], at: alert.startedAt + 5)
        #expect(try JSONDecoder().decode(FiringAlertsDocument.self, from: document.json()) == document)
        #expect(document.alerts.first?.startsAt == "2025-06-15T15:06:40.000Z")

        let snapshot = try PrometheusExpositionTests.snapshot()
        let summary = CollectorSummary(snapshot)
        let decoded = try CollectorSummary.decode(summary.json())
        #expect(decoded == summary)
        let delivery = try #require(decoded.spans.first { $0.operation == "delivery" })
        #expect(delivery.count == 7)
        #expect(abs(delivery.errorShare - 1.0 / 7) < 1e-9)
        #expect(decoded.gauges.contains { $0.operation == "backlog" && $0.labels == ["action_type": "email"] })
        #expect(decoded.statistics.malformed == 2)
    }
}
