import Foundation
import LeadflowBus
import LeadflowTelemetry
import ZeroMQ

/// What one measurement costs the thread that records it: `publish` (a struct into the publisher's queue) against
/// what encoding the protobuf envelope there would add — the measurement behind encoding on the publisher thread.
public enum TelemetryCostBenchmark {
    /// Nanoseconds per call, medians of `runs` runs of `count` calls each.
    public struct Figures: Sendable {
        public var publishNanoseconds: Double
        public var encodeNanoseconds: Double
        public var dropped: Int
    }

    public static func run(count: Int, runs: Int) async throws -> Figures {
        let context = try ZMQContext()
        let sink = try await MeasurementSink.bind(context: context, endpoint: "inproc://telemetry-cost")
        let draining = Task { await sink.drain() }
        var configuration = TelemetryPublisher.Configuration(endpoint: "inproc://telemetry-cost")
        configuration.queueCapacity = count
        let publisher = try await TelemetryPublisher.start(context: context, configuration: configuration)
        let telemetry = Telemetry(component: "scheduler", publisher: publisher)
        let clock = ContinuousClock()
        var publishing: [Double] = []
        var encoding: [Double] = []
        var sink64 = 0
        for _ in 0..<runs {
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
            // Let the thread drain the queue before the next run.
            while publisher.statistics.sent + publisher.statistics.dropped < publisher.statistics.accepted {
                try await Task.sleep(for: .milliseconds(5))
            }
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
        let dropped = publisher.statistics.dropped
        await publisher.close()
        await sink.close()
        await draining.value
        context.shutdown()
        return Figures(publishNanoseconds: median(publishing), encodeNanoseconds: median(encoding), dropped: dropped)
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}

extension Duration {
    fileprivate func nanosecondsPerCall(_ count: Int) -> Double {
        let (seconds, attoseconds) = components
        return (Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(count)
    }
}
