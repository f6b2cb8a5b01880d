import Foundation

/// `counter_growing`: a count went up by at least `minIncrease` within the last `over` — new dead letters, new
/// rejected messages.
///
/// It reads counters (their totals, which start at 0 when the collector first sees the series) and gauges that
/// count things (`scheduler.dead_letters`): the value is the sum of the rises between consecutive readings in
/// the period, from the reading at or before `t - over` (for a counter first seen within the period, from 0), so
/// a replay that lowers the dead-letter count does not hide new dead letters.
public struct CounterGrowingCondition: Sendable, Hashable {
    public var selector: SeriesSelector
    public var over: TimeInterval
    public var minIncrease: Double

    public init(selector: SeriesSelector, over: TimeInterval, minIncrease: Double = 1) {
        self.selector = selector
        self.over = over
        self.minIncrease = minIncrease
    }

    public func observations(in snapshot: MetricsSnapshot) -> [RuleObservation] {
        let counters = snapshot.counters.compactMap { observation(of: $0, startsAtZero: true, at: snapshot.time) }
        let gauges = snapshot.gauges.compactMap { observation(of: $0, startsAtZero: false, at: snapshot.time) }
        return counters + gauges
    }

    private func observation(of series: ScalarFigures, startsAtZero: Bool, at time: Date) -> RuleObservation? {
        guard selector.selects(series.key), let period = HistoryPeriod(series.history, over: over, at: time) else {
            return nil
        }
        var previous = period.start?.value ?? (startsAtZero ? 0 : nil)
        var rises = 0.0
        for point in period.points {
            if let before = previous, point.value > before { rises += point.value - before }
            previous = point.value
        }
        return RuleObservation(
            labels: RuleObservation.labels(of: series.key), value: rises, threshold: minIncrease,
            holds: rises >= minIncrease && rises > 0)
    }
}
