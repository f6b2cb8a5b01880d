import Foundation
import LeadflowBus
import LeadflowTelemetry
import ZeroMQ

/// What one measurement costs the thread that records it: `publish` (a struct into the publisher's queue) against
/// what encoding the protobuf envelope there would add — the measurement behind encoding on the publisher thread;
/// and what it costs the process in all: CPU time from the record to its being counted at a SUB over tcp loopback.
public enum TelemetryCostBenchmark {
    /// Nanoseconds per measurement, medians of `runs` runs of `count` measurements each.
    public struct Figures: Sendable {
        public var publishNanoseconds: Double
        public var encodeNanoseconds: Double
        /// Process CPU time (user + system, every thread: the caller, the publisher's encoding and sending, both
        /// ends' libzmq, the draining SUB) per measurement.
        public var endToEndCPUNanoseconds: Double
        /// ZeroMQ messages the publisher sent per measurement.
        public var messagesPerMeasurement: Double
        public var dropped: Int
    }

    public static func run(count: Int, runs: Int) async throws -> Figures {
        let context = try ZMQContext()
        // Over tcp loopback, as a collector on the same host is reached.
        let sink = try await MeasurementSink.bind(context: context, endpoint: "tcp://127.0.0.1:*")
        let draining = Task { await sink.drain() }
        var configuration = TelemetryPublisher.Configuration(endpoint: try await sink.boundEndpoint())
        configuration.queueCapacity = count
        let publisher = try await TelemetryPublisher.start(context: context, configuration: configuration)
        let telemetry = Telemetry(component: "scheduler", publisher: publisher)
        // PUB drops what it sends before the subscription arrives: warm up until a measurement gets through.
        while sink.receivedCount == 0 {
            telemetry.span("warmup", duration: .zero)
            try await Task.sleep(for: .milliseconds(10))
        }
        let clock = ContinuousClock()
        var publishing: [Double] = []
        var encoding: [Double] = []
        var endToEnd: [Double] = []
        var sink64 = 0
        for _ in 0..<runs {
            // Everything sent so far has arrived (or was dropped): the run's CPU time is its own.
            try await settle(publisher: publisher, sink: sink)
            let cpuBefore = ProcessCPUTime.now()
            let started = clock.now
            for index in 0..<count {
                telemetry.span("delivery", duration: .microseconds(index % 1_000)) { record in
                    record.itemCount = 1
                    record.org = "acme"
                    record.actionType = "email"
                    record.outcome = "succeeded"
                    record.attributes["provider"] = "http://127.0.0.1:8025"
                }
            }
            publishing.append((clock.now - started).nanosecondsPerCall(count))
            try await settle(publisher: publisher, sink: sink)
            endToEnd.append((ProcessCPUTime.now() - cpuBefore).nanosecondsPerCall(count))
            var record = MeasurementRecord(kind: .span, component: "scheduler", operation: "delivery", startNanoseconds: 1)
            record.itemCount = 1
            record.org = "acme"
            record.actionType = "email"
            record.outcome = "succeeded"
            record.attributes["provider"] = "http://127.0.0.1:8025"
            let encodeStarted = clock.now
            for index in 0..<count {
                record.durationNanoseconds = UInt64(index)
                let envelope = try Envelope(subject: Subject(record.subject), message: record.proto)
                sink64 &+= envelope.frames.count
            }
            encoding.append((clock.now - encodeStarted).nanosecondsPerCall(count))
        }
        precondition(sink64 > 0)
        let statistics = publisher.statistics
        await publisher.close()
        await sink.close()
        await draining.value
        context.shutdown()
        return Figures(
            publishNanoseconds: median(publishing), encodeNanoseconds: median(encoding),
            endToEndCPUNanoseconds: median(endToEnd),
            messagesPerMeasurement: Double(statistics.messages) / Double(max(1, statistics.sent)),
            dropped: statistics.dropped)
    }

    /// Waits until the sink has counted every measurement the publisher sent (at most 10 s: libzmq may drop).
    private static func settle(publisher: TelemetryPublisher, sink: MeasurementSink) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let statistics = publisher.statistics
            if statistics.sent + statistics.dropped >= statistics.accepted, sink.receivedCount >= statistics.sent { return }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}

extension Duration {
    fileprivate func nanosecondsPerCall(_ count: Int) -> Double {
        let (seconds, attoseconds) = components
        return (Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(count)
    }
}
