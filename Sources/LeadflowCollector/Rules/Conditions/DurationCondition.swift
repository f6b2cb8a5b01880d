import Foundation

/// `duration`: a percentile of a span series over the window is above a threshold (per-operation overrides),
/// once the window holds at least `minCount` spans.
public struct DurationCondition: Sendable, Hashable {
    public var selector: SeriesSelector
    public var statistic: PercentileStatistic
    /// Seconds.
    public var above: TimeInterval
    /// Thresholds in seconds by `component.operation`, replacing `above` for that series.
    public var overrides: [SpanKey: TimeInterval]
    public var minCount: UInt64

    public init(
        selector: SeriesSelector = SeriesSelector(), statistic: PercentileStatistic = .p99, above: TimeInterval,
        overrides: [SpanKey: TimeInterval] = [:], minCount: UInt64 = 1
    ) {
        self.selector = selector
        self.statistic = statistic
        self.above = above
        self.overrides = overrides
        self.minCount = minCount
    }

    public func observations(in snapshot: MetricsSnapshot) -> [RuleObservation] {
        snapshot.spans.compactMap { span in
            guard selector.selects(span.key), span.count >= Swift.max(minCount, 1) else { return nil }
            let threshold = overrides[span.key] ?? above
            let value = span.value(of: statistic)
            return RuleObservation(
                labels: RuleObservation.labels(of: span.key), value: value, threshold: threshold,
                holds: value > threshold)
        }
    }
}
