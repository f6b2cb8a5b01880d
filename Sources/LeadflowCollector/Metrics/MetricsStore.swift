import Foundation
import LeadflowProto

/// The collector's memory of measurements: span windows and cumulative histograms, counter totals and gauge
/// readings, each per series, bounded in number.
///
/// A value type with no clock and no lock: the collector service owns one inside a single actor (or task), calls
/// `record(_:at:)` with the receive time of each measurement and `snapshot(at:)` when it evaluates rules or serves
/// `/metrics`; the snapshot is an immutable copy, safe to hand to other tasks.
public struct MetricsStore: Sendable {
    /// What became of a measurement offered to the store.
    public enum RecordResult: Sendable, Hashable {
        case recorded
        /// Not usable, with the reason (never the payload).
        case malformed(String)
        /// It would have opened a series beyond `maxSeries`; counted in `droppedSeries`.
        case droppedSeries
    }

    /// Settings that cannot work; `message` lists every problem.
    public struct InvalidConfiguration: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { "invalid collector store settings: \(message)" }
    }

    private struct SpanSeries: Sendable {
        var window: SpanWindow
        var cumulative = CumulativeHistogram()
        var cumulativeOutcomes: [String: UInt64] = [:]
        let firstSeen: Date
    }

    private struct ScalarSeries: Sendable {
        var value: Double
        var updatedAt: Date
        var history = SeriesHistory()
    }

    public let configuration: MetricsStoreConfiguration
    private var spans: [SpanKey: SpanSeries] = [:]
    private var counters: [SeriesKey: ScalarSeries] = [:]
    private var gauges: [SeriesKey: ScalarSeries] = [:]
    private var statistics = CollectorStatistics()

    public init(configuration: MetricsStoreConfiguration = MetricsStoreConfiguration())
    throws(InvalidConfiguration) {
        let problems = configuration.problems
        guard problems.isEmpty else { throw InvalidConfiguration(message: problems.joined(separator: "; ")) }
        self.configuration = configuration
    }

    /// Series held now, of every kind.
    public var seriesCount: Int { spans.count + counters.count + gauges.count }

    /// What the store has received, rejected and held, without computing a snapshot.
    public var currentStatistics: CollectorStatistics {
        var statistics = statistics
        statistics.series = seriesCount
        return statistics
    }

    /// Records `measurement`, received at `time`.
    @discardableResult
    public mutating func record(_ measurement: Leadflow_V1_Measurement, at time: Date) -> RecordResult {
        statistics.received += 1
        if let problem = measurement.malformation {
            statistics.malformed += 1
            return .malformed(problem)
        }
        switch measurement.kind {
        case .counter: return recordScalar(measurement, at: time, in: \.counters, accumulate: true)
        case .gauge: return recordScalar(measurement, at: time, in: \.gauges, accumulate: false)
        default: return recordSpan(measurement, at: time)
        }
    }

    /// Counts a measurement that could not even be decoded (bad payload, bad subject), for the self-metrics.
    public mutating func recordMalformed() {
        statistics.received += 1
        statistics.malformed += 1
    }

    /// Drops the gauge series not refreshed for `staleAfterIntervals` gauge intervals; returns how many.
    @discardableResult
    public mutating func expireStaleGauges(at time: Date) -> Int {
        let before = gauges.count
        gauges = gauges.filter { !isStale($0.value.updatedAt, at: time) }
        return before - gauges.count
    }

    private func isStale(_ updatedAt: Date, at time: Date) -> Bool {
        time.timeIntervalSince(updatedAt) > configuration.gaugeInterval * Double(configuration.staleAfterIntervals)
    }

    /// Makes room for one more series: true when there is (after dropping stale gauges if needed).
    private mutating func admitSeries(at time: Date) -> Bool {
        if seriesCount < configuration.maxSeries { return true }
        expireStaleGauges(at: time)
        if seriesCount < configuration.maxSeries { return true }
        statistics.droppedSeries += 1
        return false
    }

    private mutating func recordSpan(_ measurement: Leadflow_V1_Measurement, at time: Date) -> RecordResult {
        let key = SpanKey(component: measurement.component, operation: measurement.operation)
        if spans[key] == nil {
            guard admitSeries(at: time) else { return .droppedSeries }
            let slotSeconds = configuration.window / Double(configuration.windowSlots)
            spans[key] = SpanSeries(
                window: SpanWindow(
                    slots: configuration.windowSlots, slotSeconds: slotSeconds,
                    maxPairsPerSlot: configuration.maxPairsPerSlot),
                firstSeen: time)
        }
        let microseconds = measurement.durationMicroseconds
        var outcome = measurement.outcome
        // Outcomes are a dimension of the window counts: a series that keeps inventing them is lumped, not grown.
        if spans[key]!.cumulativeOutcomes[outcome] == nil,
            spans[key]!.cumulativeOutcomes.count >= configuration.maxOutcomesPerSpan
        {
            outcome = "other"
        }
        let pair =
            measurement.itemCount > 0 ? ItemQueries(items: measurement.itemCount, queries: measurement.dbQueries) : nil
        spans[key]!.window.record(microseconds: microseconds, outcome: outcome, pair: pair, at: time)
        spans[key]!.cumulative.record(
            microseconds: microseconds, items: measurement.itemCount, dbQueries: UInt64(measurement.dbQueries))
        spans[key]!.cumulativeOutcomes[outcome, default: 0] += 1
        return .recorded
    }

    private mutating func recordScalar(
        _ measurement: Leadflow_V1_Measurement, at time: Date,
        in series: WritableKeyPath<MetricsStore, [SeriesKey: ScalarSeries]>, accumulate: Bool
    ) -> RecordResult {
        let key = SeriesKey(
            component: measurement.component, operation: measurement.operation, org: measurement.org,
            actionType: measurement.actionType, outcome: measurement.outcome,
            attributes: measurement.attributes.filter { !$0.key.isEmpty })
        if self[keyPath: series][key] == nil {
            guard admitSeries(at: time) else { return .droppedSeries }
            self[keyPath: series][key] = ScalarSeries(value: 0, updatedAt: time)
        }
        let value = accumulate ? self[keyPath: series][key]!.value + measurement.value : measurement.value
        self[keyPath: series][key]!.value = value
        self[keyPath: series][key]!.updatedAt = time
        self[keyPath: series][key]!.history.append(
            value, at: time, retention: configuration.history, resolution: configuration.historyResolution,
            maxPoints: configuration.maxHistoryPoints)
        return .recorded
    }

    /// Every series as it stands at `time`; stale gauges are left out (and dropped at the next
    /// `expireStaleGauges(at:)`).
    public func snapshot(at time: Date) -> MetricsSnapshot {
        let spanFigures = spans.map { key, series in
            let contents = series.window.contents(at: time)
            let seconds = { (value: UInt64) in Double(value) / 1_000_000 }
            let empty = contents.histogram.totalCount == 0
            return SpanFigures(
                key: key, count: contents.histogram.totalCount, sum: contents.sum,
                p50: empty ? 0 : seconds(contents.histogram.valueAtPercentile(50)),
                p90: empty ? 0 : seconds(contents.histogram.valueAtPercentile(90)),
                p99: empty ? 0 : seconds(contents.histogram.valueAtPercentile(99)),
                max: empty ? 0 : seconds(contents.histogram.maxRecorded),
                outcomes: contents.outcomes, itemQueries: contents.pairs,
                windowSeconds: min(contents.coveredSeconds, max(0, time.timeIntervalSince(series.firstSeen))),
                cumulative: series.cumulative, cumulativeOutcomes: series.cumulativeOutcomes)
        }
        let figures = { (series: [SeriesKey: ScalarSeries]) in
            series.map { ScalarFigures(key: $0, value: $1.value, updatedAt: $1.updatedAt, history: $1.history.points) }
                .sorted { $0.key < $1.key }
        }
        let statistics = currentStatistics
        return MetricsSnapshot(
            time: time, window: configuration.window, spans: spanFigures.sorted { $0.key < $1.key },
            counters: figures(counters), gauges: figures(gauges.filter { !isStale($0.value.updatedAt, at: time) }),
            statistics: statistics)
    }
}
