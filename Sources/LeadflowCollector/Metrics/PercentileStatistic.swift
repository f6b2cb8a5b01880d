/// Which figure of a span window a duration rule compares with its threshold.
public enum PercentileStatistic: String, Sendable, Hashable, CaseIterable, Codable {
    case p50, p90, p99, max
}
