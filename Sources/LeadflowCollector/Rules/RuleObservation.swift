/// What a rule's condition saw in one series of a snapshot: the series' labels, the value compared, the
/// threshold it was compared with, and whether the condition holds.
public struct RuleObservation: Sendable, Hashable {
    /// Identify the series (and so the alert): `component`, `operation`, and for counters and gauges the
    /// series' own labels (`org`, `action_type`, `provider`, …).
    public var labels: [String: String]
    public var value: Double
    public var threshold: Double
    public var holds: Bool

    public init(labels: [String: String], value: Double, threshold: Double, holds: Bool) {
        self.labels = labels
        self.value = value
        self.threshold = threshold
        self.holds = holds
    }

    static func labels(of key: SpanKey) -> [String: String] {
        ["component": key.component, "operation": key.operation]
    }

    static func labels(of key: SeriesKey) -> [String: String] {
        key.labels.merging(labels(of: key.name)) { _, fixed in fixed }
    }
}
