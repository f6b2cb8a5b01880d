import Foundation

/// Evaluates the rules against snapshots with hysteresis: an alert (per rule and per labelled series) fires
/// once when its condition has held for the rule's `for`, and resolves once when it has been clear for
/// `resolve_for`; a condition that breaks off before then starts its count again.
///
/// Pure state: the collector calls `evaluate(_:at:)` at its evaluation interval and acts on the transitions.
public struct RuleEngine: Sendable {
    private struct AlertKey: Hashable {
        var rule: String
        var labels: [String: String]
    }

    private struct AlertState {
        /// When the condition started holding in this run of holds.
        var holdingSince: Date?
        var firing: FiringAlert?
        /// When a firing alert's condition stopped holding.
        var clearSince: Date?
    }

    public let rules: [Rule]
    private var states: [AlertKey: AlertState] = [:]

    public init(rules: [Rule]) {
        self.rules = rules
    }

    /// The alerts firing now, by rule order, then labels.
    public var firing: [FiringAlert] {
        let order = Dictionary(rules.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        return states.values.compactMap(\.firing).sorted {
            (order[$0.rule] ?? 0, Self.text($0.labels)) < (order[$1.rule] ?? 0, Self.text($1.labels))
        }
    }

    /// Evaluates every rule at `now`; returns the alerts that fired or resolved, in rule order.
    public mutating func evaluate(_ snapshot: MetricsSnapshot, at now: Date) -> [AlertTransition] {
        var transitions: [AlertTransition] = []
        for rule in rules {
            var observed: [AlertKey: RuleObservation] = [:]
            for observation in rule.condition.observations(in: snapshot) {
                observed[AlertKey(rule: rule.name, labels: observation.labels)] = observation
            }
            let keys = Set(observed.keys).union(states.keys.filter { $0.rule == rule.name })
            for key in keys.sorted(by: { Self.text($0.labels) < Self.text($1.labels) }) {
                if let transition = step(key, rule: rule, observation: observed[key], now: now) {
                    transitions.append(transition)
                }
            }
        }
        return transitions
    }

    private mutating func step(_ key: AlertKey, rule: Rule, observation: RuleObservation?, now: Date)
        -> AlertTransition?
    {
        var state = states[key] ?? AlertState()
        defer { states[key] = state.holdingSince == nil && state.firing == nil ? nil : state }
        if let observation, observation.holds {
            state.clearSince = nil
            let since = state.holdingSince ?? now
            state.holdingSince = since
            if var alert = state.firing {
                alert.value = observation.value
                alert.threshold = observation.threshold
                alert.summary = summary(rule, key.labels, observation)
                state.firing = alert
                return nil
            }
            guard now.timeIntervalSince(since) >= rule.holdFor else { return nil }
            let alert = FiringAlert(
                rule: rule.name, severity: rule.severity, labels: key.labels.merging(rule.labels) { _, rule in rule },
                summary: summary(rule, key.labels, observation), value: observation.value,
                threshold: observation.threshold, unit: rule.condition.unit, startedAt: now)
            state.firing = alert
            return AlertTransition(state: .firing, alert: alert)
        }
        state.holdingSince = nil
        guard var alert = state.firing else { return nil }
        let clearSince = state.clearSince ?? now
        state.clearSince = clearSince
        if let observation {
            alert.value = observation.value
            state.firing = alert
        }
        guard now.timeIntervalSince(clearSince) >= rule.resolveFor else { return nil }
        state.firing = nil
        state.clearSince = nil
        return AlertTransition(state: .resolved, alert: alert, endedAt: now)
    }

    private func summary(_ rule: Rule, _ labels: [String: String], _ observation: RuleObservation) -> String {
        var values = labels.merging(rule.labels) { series, _ in series }
        values["rule"] = rule.name
        values["severity"] = rule.severity.rawValue
        values["value"] = rule.condition.unit.format(observation.value)
        values["threshold"] = rule.condition.unit.format(observation.threshold)
        return SummaryTemplate.render(rule.summary, values)
    }

    private static func text(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
