import Foundation
import LeadflowProto
import LeadflowTelemetry
import Metrics
import Testing
import Tracing

@Suite("Metrics factory and tracer")
struct MeasurementBackendTests {
    @Test("a swift-metrics counter, gauge, recorder, meter and timer become counters, gauges and spans with every field")
    func metricsFactory() async throws {
        try await TelemetryHarness.with { harness in
            let factory = harness.telemetry("scheduler").metrics
            let dimensions = [
                ("org", "acme"), ("action_type", "email"), ("outcome", "retry"), ("trace_id", "0af7651916cd43dd8448eb211c80319c"),
                ("provider", "http://127.0.0.1:8025"), ("item_count", "7"), ("db_queries", "3"),
            ]
            Counter(label: "results", dimensions: dimensions, factory: factory).increment(by: 5)
            Gauge(label: "backlog", dimensions: [("action_type", "sms")], factory: factory).record(42)
            Recorder(label: "oldest_due_age", factory: factory).record(1.5)
            let meter = Meter(label: "in_flight", dimensions: [("org", "acme")], factory: factory)
            meter.set(10)
            meter.increment(by: 2)
            Metrics.Timer(label: "claim", factory: factory).recordNanoseconds(2_500_000)
            let received = try await harness.receive(6)
            try #require(received.count == 6)

            let counter = received[0].measurement
            #expect(received[0].subject == "metrics.scheduler.results")
            #expect(counter.kind == .counter && counter.value == 5)
            #expect(counter.org == "acme" && counter.actionType == "email" && counter.outcome == "retry")
            #expect(counter.traceID == "0af7651916cd43dd8448eb211c80319c")
            #expect(counter.itemCount == 7 && counter.dbQueries == 3)
            #expect(counter.attributes == ["provider": "http://127.0.0.1:8025"])
            #expect(counter.startTime.seconds > 1_600_000_000)

            #expect(received[1].subject == "metrics.scheduler.backlog")
            #expect(received[1].measurement.kind == .gauge && received[1].measurement.value == 42)
            #expect(received[1].measurement.actionType == "sms")
            #expect(received[2].measurement.kind == .gauge && received[2].measurement.value == 1.5)
            #expect(received[3].measurement.value == 10 && received[4].measurement.value == 12)
            #expect(received[3].measurement.org == "acme")
            let timer = received[5].measurement
            #expect(timer.kind == .span && timer.operation == "claim")
            #expect(timer.duration.seconds == 0 && timer.duration.nanos == 2_500_000)
        }
    }

    @Test("an ended span becomes a KIND_SPAN measurement: fields from attributes, the rest as attributes")
    func tracer() async throws {
        try await TelemetryHarness.with { harness in
            let tracer = harness.telemetry("email_handler").tracer
            let start = MeasurementInstant(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
            let span = tracer.startSpan("delivery", at: start)
            #expect(span.isRecording)
            span.updateAttributes { attributes in
                attributes[MeasurementField.itemCount] = 1
                attributes[MeasurementField.dbQueries] = 0
                attributes[MeasurementField.org] = "acme"
                attributes[MeasurementField.actionType] = "email"
                attributes[MeasurementField.outcome] = "failed"
                attributes[MeasurementField.traceID] = "4bf92f3577b34da6a3ce929d0e0e4736"
                attributes[MeasurementField.provider] = "smtp://127.0.0.1:2525"
                attributes[MeasurementField.errorClass] = "rejected"
                attributes["attempt"] = 3
            }
            span.end(at: MeasurementInstant(nanosecondsSinceEpoch: 1_700_000_000_250_000_000))
            span.end(at: MeasurementInstant(nanosecondsSinceEpoch: 1_700_000_009_000_000_000))
            #expect(!span.isRecording)

            // An error without an outcome makes it `error`, with the error's type as its class.
            struct Refused: Error {}
            let failing = tracer.startSpan("db_query")
            failing.recordError(Refused())
            failing.end()

            let received = try await harness.receive(2)
            try #require(received.count == 2)
            let delivery = received[0].measurement
            #expect(received[0].subject == "metrics.email_handler.delivery")
            #expect(delivery.kind == .span)
            #expect(delivery.startTime.seconds == 1_700_000_000 && delivery.startTime.nanos == 0)
            #expect(delivery.duration.seconds == 0 && delivery.duration.nanos == 250_000_000)
            #expect(delivery.itemCount == 1 && delivery.dbQueries == 0)
            #expect(delivery.org == "acme" && delivery.actionType == "email" && delivery.outcome == "failed")
            #expect(delivery.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect(delivery.attributes == ["provider": "smtp://127.0.0.1:2525", "error_class": "rejected", "attempt": "3"])
            #expect(received[1].measurement.outcome == "error")
            #expect(received[1].measurement.attributes["error_class"] == "Refused")
        }
    }

    @Test("disabled telemetry hands out spans and handlers that record nothing")
    func disabled() {
        let telemetry = Telemetry.disabled
        #expect(!telemetry.isEnabled)
        let span = telemetry.tracer.startSpan("claim")
        span.attributes[MeasurementField.itemCount] = 3
        #expect(!span.isRecording)
        #expect(span.attributes.get(MeasurementField.itemCount) == nil)
        span.end()
        Counter(label: "messages", factory: telemetry.metrics).increment()
        #expect(telemetry.databaseObserver == nil)
    }
}
