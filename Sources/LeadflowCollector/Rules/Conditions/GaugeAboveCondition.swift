/// `gauge_above`: a gauge's last reading is above a threshold (e.g. `scheduler.oldest_due_age` above the
/// 2-minute SLA), per series.
public struct GaugeAboveCondition: Sendable, Hashable {
    public var selector: SeriesSelector
    public var above: Double

    public init(selector: SeriesSelector, above: Double) {
        self.selector = selector
        self.above = above
    }

    public func observations(in snapshot: MetricsSnapshot) -> [RuleObservation] {
        snapshot.gauges.compactMap { gauge in
            guard selector.selects(gauge.key) else { return nil }
            return RuleObservation(
                labels: RuleObservation.labels(of: gauge.key), value: gauge.value, threshold: above,
                holds: gauge.value > above)
        }
    }
}
