/// `n_plus_one`: a span series whose database queries grow with its item count. Over the window's spans that
/// handled items, with at least `minCount` of them and `minDistinctItems` distinct item counts, the
/// least-squares slope of queries per item is at least `minSlope` and the correlation at least `minCorrelation`.
public struct NPlusOneCondition: Sendable, Hashable {
    public var selector: SeriesSelector
    public var minCount: Int
    public var minDistinctItems: Int
    public var minSlope: Double
    public var minCorrelation: Double

    public init(
        selector: SeriesSelector = SeriesSelector(), minCount: Int = 10, minDistinctItems: Int = 3,
        minSlope: Double = 0.5, minCorrelation: Double = 0.8
    ) {
        self.selector = selector
        self.minCount = minCount
        self.minDistinctItems = minDistinctItems
        self.minSlope = minSlope
        self.minCorrelation = minCorrelation
    }

    public func observations(in snapshot: MetricsSnapshot) -> [RuleObservation] {
        snapshot.spans.compactMap { span in
            guard selector.selects(span.key), span.itemQueries.count >= Swift.max(minCount, 2),
                let fit = LeastSquaresFit(span.itemQueries), fit.distinctItems >= Swift.max(minDistinctItems, 2)
            else { return nil }
            return RuleObservation(
                labels: RuleObservation.labels(of: span.key), value: fit.slope, threshold: minSlope,
                holds: fit.slope >= minSlope && fit.correlation >= minCorrelation)
        }
    }
}
