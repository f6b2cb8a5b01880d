/// Which series a rule looks at: names matching one of `match` and none of `exclude`, and, for counters and
/// gauges, labels equal to those in `labels` (an empty value requires the label to be absent).
public struct SeriesSelector: Sendable, Hashable {
    public var match: [SeriesPattern]
    public var exclude: [SeriesPattern]
    public var labels: [String: String]

    public init(match: [SeriesPattern] = [.all], exclude: [SeriesPattern] = [], labels: [String: String] = [:]) {
        self.match = match
        self.exclude = exclude
        self.labels = labels
    }

    public func selects(_ key: SpanKey) -> Bool {
        match.contains { $0.matches(key) } && !exclude.contains { $0.matches(key) }
    }

    public func selects(_ key: SeriesKey) -> Bool {
        guard selects(key.name) else { return false }
        let actual = key.labels
        return labels.allSatisfy { label, value in (actual[label] ?? "") == value }
    }
}
