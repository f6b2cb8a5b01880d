/// `breaker_open`: a circuit-breaker gauge (`*_handler.breaker_open`, 1 while open or half-open) reads 1 or
/// more, per series (so per provider).
public struct BreakerOpenCondition: Sendable, Hashable {
    public var selector: SeriesSelector

    public init(selector: SeriesSelector) {
        self.selector = selector
    }

    public func observations(in snapshot: MetricsSnapshot) -> [RuleObservation] {
        snapshot.gauges.compactMap { gauge in
            guard selector.selects(gauge.key) else { return nil }
            return RuleObservation(
                labels: RuleObservation.labels(of: gauge.key), value: gauge.value, threshold: 1,
                holds: gauge.value >= 1)
        }
    }
}
