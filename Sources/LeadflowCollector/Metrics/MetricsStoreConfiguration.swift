import Foundation

/// How much a `MetricsStore` remembers: the window, the series bound and the gauge history.
public struct MetricsStoreConfiguration: Sendable, Hashable {
    /// Length of the sliding window percentiles, error shares and N+1 fits are computed over (`collector.window`).
    public var window: TimeInterval = 60
    /// Sub-windows the window is made of (`collector.window_slots`); the window moves on by `window / slots`.
    public var windowSlots = 6
    /// Most series held, spans, counters and gauges together (`collector.max_series`).
    public var maxSeries = 10_000
    /// How often gauges are sampled (`telemetry.gauge_interval`).
    public var gaugeInterval: TimeInterval = 5
    /// A gauge series not refreshed for this many intervals is stale and dropped.
    public var staleAfterIntervals = 3
    /// How far back counter and gauge readings are kept for growth rules; at least the longest `over` of the
    /// rules (see `RuleSet.requiredHistory`).
    public var history: TimeInterval = 15 * 60
    /// Readings closer together than this are merged into one history point.
    public var historyResolution: TimeInterval = 1
    /// Most history points per series.
    public var maxHistoryPoints = 1_024
    /// Most (item count, query count) pairs kept per sub-window and span series, for N+1 detection.
    public var maxPairsPerSlot = 256
    /// Most distinct outcomes per span series; further ones are counted as `other`.
    public var maxOutcomesPerSpan = 16

    public init() {}

    /// What is wrong with these settings, one message each; empty when they are usable.
    public var problems: [String] {
        var problems: [String] = []
        if !(window > 0) || !window.isFinite { problems.append("the window must be longer than 0 s, got \(window) s") }
        if windowSlots < 1 || windowSlots > 3_600 {
            problems.append("the window must have 1 to 3600 slots, got \(windowSlots)")
        }
        if maxSeries < 1 { problems.append("the maximum number of series must be at least 1, got \(maxSeries)") }
        if !(gaugeInterval > 0) || !gaugeInterval.isFinite {
            problems.append("the gauge interval must be longer than 0 s, got \(gaugeInterval) s")
        }
        if staleAfterIntervals < 1 {
            problems.append("gauges must stay for at least 1 interval, got \(staleAfterIntervals)")
        }
        if !(history >= 0) || !history.isFinite { problems.append("the history cannot be negative, got \(history) s") }
        if !(historyResolution >= 0) || !historyResolution.isFinite {
            problems.append("the history resolution cannot be negative, got \(historyResolution) s")
        }
        if maxHistoryPoints < 2 {
            problems.append("the history needs at least 2 points per series, got \(maxHistoryPoints)")
        }
        if maxPairsPerSlot < 0 { problems.append("the N+1 pairs per slot cannot be negative, got \(maxPairsPerSlot)") }
        if maxOutcomesPerSpan < 1 {
            problems.append("spans need at least 1 outcome per series, got \(maxOutcomesPerSpan)")
        }
        return problems
    }
}
