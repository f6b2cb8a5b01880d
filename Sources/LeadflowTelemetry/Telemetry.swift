import CoreMetrics
import Tracing

/// What a service measures with: its component name (the subject's second token), a swift-metrics factory and
/// a swift-distributed-tracing tracer that publish on the process's ``TelemetryPublisher``. Passed into each
/// service; ``disabled`` measures nothing at next to no cost.
public struct Telemetry: Sendable {
    /// `ingest`, `scheduler`, `email_handler`, …
    public let component: String
    /// The process's publisher; nil when telemetry is off.
    public let publisher: TelemetryPublisher?
    /// How often the service samples its gauges.
    public let gaugeInterval: Duration
    public let metrics: MeasurementMetricsFactory
    public let tracer: MeasurementTracer

    public init(component: String, publisher: TelemetryPublisher?, gaugeInterval: Duration = .seconds(5)) {
        self.component = component
        self.publisher = publisher
        self.gaugeInterval = gaugeInterval
        metrics = MeasurementMetricsFactory(component: component, publisher: publisher)
        tracer = MeasurementTracer(component: component, publisher: publisher)
    }

    /// Measures nothing: the telemetry of tests and of `telemetry.endpoint` set empty.
    public static let disabled = Telemetry(component: "disabled", publisher: nil)

    /// The same publisher and interval under another component name (one publisher per process).
    public func component(_ name: String) -> Telemetry {
        Telemetry(component: name, publisher: publisher, gaugeInterval: gaugeInterval)
    }

    /// Whether anything is published.
    public var isEnabled: Bool { publisher != nil }

    /// Publishes a measurement built by hand (the component is this telemetry's).
    public func record(_ record: MeasurementRecord) {
        guard let publisher else { return }
        var record = record
        record.component = component
        publisher.publish(record)
    }

    /// A KIND_SPAN measurement of `operation` from `startNanoseconds` to `endNanoseconds` (wall clock, since
    /// 1970); an end before the start is a duration of zero.
    public func span(
        _ operation: String, startNanoseconds: UInt64, endNanoseconds: UInt64,
        _ fill: (inout MeasurementRecord) -> Void = { _ in }
    ) {
        guard let publisher else { return }
        var record = MeasurementRecord(
            kind: .span, component: component, operation: operation, startNanoseconds: startNanoseconds)
        record.durationNanoseconds = endNanoseconds > startNanoseconds ? endNanoseconds - startNanoseconds : 0
        fill(&record)
        publisher.publish(record)
    }

    /// A KIND_SPAN measurement of `operation` that took `duration` and ended now.
    public func span(_ operation: String, duration: Duration, _ fill: (inout MeasurementRecord) -> Void = { _ in }) {
        guard let publisher else { return }
        let nanoseconds = UInt64(clamping: duration.nanoseconds)
        let now = WallClock.nanoseconds()
        var record = MeasurementRecord(
            kind: .span, component: component, operation: operation,
            startNanoseconds: now > nanoseconds ? now - nanoseconds : 0)
        record.durationNanoseconds = nanoseconds
        fill(&record)
        publisher.publish(record)
    }
}

extension Duration {
    /// The whole nanoseconds of the duration (negative durations are negative).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }
}
