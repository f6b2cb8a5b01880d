/// `error_rate`: the share of a span series' window whose outcome is an error outcome is above a threshold,
/// once the window holds at least `minCount` spans.
public struct ErrorRateCondition: Sendable, Hashable {
    public var selector: SeriesSelector
    /// A share between 0 and 1.
    public var above: Double
    public var minCount: UInt64
    public var errorOutcomes: Set<String>

    public init(
        selector: SeriesSelector = SeriesSelector(), above: Double, minCount: UInt64 = 20,
        errorOutcomes: Set<String> = SpanFigures.defaultErrorOutcomes
    ) {
        self.selector = selector
        self.above = above
        self.minCount = minCount
        self.errorOutcomes = errorOutcomes
    }

    public func observations(in snapshot: MetricsSnapshot) -> [RuleObservation] {
        snapshot.spans.compactMap { span in
            guard selector.selects(span.key), span.count >= Swift.max(minCount, 1),
                let share = span.errorShare(counting: errorOutcomes)
            else { return nil }
            return RuleObservation(
                labels: RuleObservation.labels(of: span.key), value: share, threshold: above, holds: share > above)
        }
    }
}
