import Foundation

/// `gauge_growing`: a gauge grew steadily over the last `over`.
///
/// Precisely, at evaluation time `t`: the series has a reading at or before `t - over` (the start value; a
/// series younger than `over` never holds); its last reading exceeds the start value by at least `minIncrease`;
/// and no reading in the period fell more than `tolerance` below the highest reading before it. The value is
/// the increase, the threshold `minIncrease`.
public struct GaugeGrowingCondition: Sendable, Hashable {
    public var selector: SeriesSelector
    public var over: TimeInterval
    public var minIncrease: Double
    public var tolerance: Double

    public init(selector: SeriesSelector, over: TimeInterval, minIncrease: Double = 1, tolerance: Double = 0) {
        self.selector = selector
        self.over = over
        self.minIncrease = minIncrease
        self.tolerance = tolerance
    }

    public func observations(in snapshot: MetricsSnapshot) -> [RuleObservation] {
        snapshot.gauges.compactMap { gauge in
            guard selector.selects(gauge.key),
                let period = HistoryPeriod(gauge.history, over: over, at: snapshot.time), let start = period.start,
                let last = period.points.last
            else { return nil }
            var highest = start.value
            var steady = true
            for point in period.points {
                if point.value < highest - tolerance { steady = false }
                highest = Swift.max(highest, point.value)
            }
            let increase = last.value - start.value
            return RuleObservation(
                labels: RuleObservation.labels(of: gauge.key), value: increase, threshold: minIncrease,
                holds: steady && increase >= minIncrease && increase > 0)
        }
    }
}
