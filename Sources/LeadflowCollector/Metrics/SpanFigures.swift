import Foundation

/// What one span series looks like at a snapshot: window figures for rules and `top`, cumulative ones for
/// Prometheus. Durations are in seconds.
public struct SpanFigures: Sendable, Hashable {
    /// The outcomes counted as errors when no rule says otherwise.
    public static let defaultErrorOutcomes: Set<String> = ["error", "failed", "retry"]

    public var key: SpanKey
    /// Spans in the window.
    public var count: UInt64
    /// Sum of their durations.
    public var sum: Double
    /// Percentiles over the window, to HdrHistogram's 3 significant digits; 0 when the window is empty.
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var max: Double
    /// Spans per outcome in the window (`""` for spans that carried none).
    public var outcomes: [String: UInt64]
    /// (item count, query count) of the window's spans that handled items, for N+1 detection.
    public var itemQueries: [ItemQueries]
    /// Seconds of receive time the window covers (shorter than the window while the series is young).
    public var windowSeconds: Double
    /// Every span since the collector started, in the fixed Prometheus buckets.
    public var cumulative: CumulativeHistogram
    /// Spans per outcome since the collector started.
    public var cumulativeOutcomes: [String: UInt64]

    public init(
        key: SpanKey, count: UInt64, sum: Double, p50: Double, p90: Double, p99: Double, max: Double,
        outcomes: [String: UInt64], itemQueries: [ItemQueries], windowSeconds: Double,
        cumulative: CumulativeHistogram, cumulativeOutcomes: [String: UInt64]
    ) {
        self.key = key
        self.count = count
        self.sum = sum
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
        self.outcomes = outcomes
        self.itemQueries = itemQueries
        self.windowSeconds = windowSeconds
        self.cumulative = cumulative
        self.cumulativeOutcomes = cumulativeOutcomes
    }

    /// Spans per second over the window.
    public var ratePerSecond: Double { windowSeconds > 0 ? Double(count) / windowSeconds : 0 }

    /// The share of the window's spans whose outcome is one of `errorOutcomes`; nil when the window is empty.
    public func errorShare(counting errorOutcomes: Set<String> = defaultErrorOutcomes) -> Double? {
        guard count > 0 else { return nil }
        let errors = outcomes.reduce(UInt64(0)) { errorOutcomes.contains($1.key) ? $0 + $1.value : $0 }
        return Double(errors) / Double(count)
    }

    /// The window's value of a percentile rule statistic.
    public func value(of statistic: PercentileStatistic) -> Double {
        switch statistic {
        case .p50: p50
        case .p90: p90
        case .p99: p99
        case .max: max
        }
    }
}
