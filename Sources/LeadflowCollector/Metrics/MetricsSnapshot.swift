import Foundation

/// Everything the rules and the outputs need from a `MetricsStore` at one time; immutable and safe to hand to
/// other tasks (the HTTP endpoint renders it while the store goes on recording).
public struct MetricsSnapshot: Sendable {
    /// The time the snapshot was taken for.
    public var time: Date
    /// The configured window length in seconds.
    public var window: TimeInterval
    /// Span series sorted by key.
    public var spans: [SpanFigures]
    /// Counter series sorted by key.
    public var counters: [ScalarFigures]
    /// Live (not stale) gauge series sorted by key.
    public var gauges: [ScalarFigures]
    /// The collector's own counts.
    public var statistics: CollectorStatistics

    public init(
        time: Date, window: TimeInterval, spans: [SpanFigures], counters: [ScalarFigures], gauges: [ScalarFigures],
        statistics: CollectorStatistics
    ) {
        self.time = time
        self.window = window
        self.spans = spans
        self.counters = counters
        self.gauges = gauges
        self.statistics = statistics
    }

    /// The span series of `component.operation`, if any span of it arrived.
    public func span(_ component: String, _ operation: String) -> SpanFigures? {
        spans.first { $0.key == SpanKey(component: component, operation: operation) }
    }
}
