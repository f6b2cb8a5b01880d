import Foundation
import LeadflowProto
import Testing

@testable import LeadflowCollector

@Suite struct MetricsStoreTests {
    let t0 = Measurements.epoch

    /// HdrHistogram with 3 significant digits: a reported value is within 0.1 % (plus 1 µs) of the recorded one.
    func close(_ reported: Double, _ expected: Double) -> Bool {
        abs(reported - expected) <= expected * 0.001 + 0.000_001
    }

    @Test(arguments: [1, 7, 100, 1_000])
    func percentilesMatchTheRecordedValues(count: Int) throws {
        var store = try MetricsStore()
        // Durations 1…count ms in a shuffled order: p50 is the median, p99 the 99th percentile, max the largest.
        for index in (1...count).shuffled() {
            store.record(Measurements.span("scheduler", "claim", milliseconds: Double(index)), at: t0)
        }
        let span = try #require(store.snapshot(at: t0.addingTimeInterval(1)).span("scheduler", "claim"))
        let sorted = (1...count).map { Double($0) / 1_000 }
        func percentile(_ p: Double) -> Double { sorted[max(0, Int((p / 100 * Double(count)).rounded(.up)) - 1)] }
        #expect(span.count == UInt64(count))
        #expect(close(span.p50, percentile(50)))
        #expect(close(span.p90, percentile(90)))
        #expect(close(span.p99, percentile(99)))
        #expect(span.max == sorted.last)
        #expect(abs(span.sum - sorted.reduce(0, +)) < 1e-9)
    }

    @Test func theWindowForgetsOldSlotsAsTimeMovesOn() throws {
        var configuration = MetricsStoreConfiguration()
        configuration.window = 60
        configuration.windowSlots = 6
        var store = try MetricsStore(configuration: configuration)
        let start = Date(timeIntervalSince1970: 1_750_000_020)  // a slot boundary (multiple of 10 s)
        for second in 0..<60 {
            // 1 ms spans in the first 30 s, 500 ms spans in the next 30 s.
            let milliseconds = second < 30 ? 1.0 : 500.0
            store.record(
                Measurements.span("ingest", "batch_commit", milliseconds: milliseconds),
                at: start.addingTimeInterval(Double(second)))
        }
        let full = try #require(store.snapshot(at: start.addingTimeInterval(59)).span("ingest", "batch_commit"))
        #expect(full.count == 60)
        #expect(close(full.p50, 0.001))
        // 30 s later the first three slots (the 1 ms spans) have left the window, the 500 ms ones remain.
        let later = try #require(store.snapshot(at: start.addingTimeInterval(89)).span("ingest", "batch_commit"))
        #expect(later.count == 30)
        #expect(close(later.p50, 0.5))
        #expect(close(later.p99, 0.5))
        // Once the whole window has passed, it is empty but the cumulative histogram still counts everything.
        let empty = try #require(store.snapshot(at: start.addingTimeInterval(180)).span("ingest", "batch_commit"))
        #expect(empty.count == 0)
        #expect(empty.p99 == 0)
        #expect(empty.cumulative.count == 60)
        // Recording into a reused slot starts it afresh.
        store.record(Measurements.span("ingest", "batch_commit", milliseconds: 7), at: start.addingTimeInterval(181))
        let reused = try #require(store.snapshot(at: start.addingTimeInterval(181)).span("ingest", "batch_commit"))
        #expect(reused.count == 1)
        #expect(close(reused.p50, 0.007))
    }

    @Test func cumulativeBucketsAndOutcomesNeverDecrease() throws {
        var store = try MetricsStore()
        let durations = [0.5, 1.0, 1.2, 99.0, 100.0, 100.5, 2_000, 20_000]
        for (index, milliseconds) in durations.enumerated() {
            store.record(
                Measurements.span("email_handler", "delivery", milliseconds: milliseconds,
                    outcome: index % 2 == 0 ? "succeeded" : "retry"),
                at: t0)
        }
        let span = try #require(store.snapshot(at: t0).span("email_handler", "delivery"))
        for (bound, count) in zip(CumulativeHistogram.bounds, span.cumulative.cumulativeCounts) {
            #expect(count == UInt64(durations.filter { $0 / 1_000 <= bound }.count), "le=\(bound)")
        }
        #expect(span.cumulative.count == 8)
        #expect(span.cumulativeOutcomes == ["succeeded": 4, "retry": 4])
        #expect(span.errorShare() == 0.5)
        #expect(span.errorShare(counting: ["failed"]) == 0)
        // Long after the window, the cumulative figures are unchanged.
        let later = try #require(store.snapshot(at: t0.addingTimeInterval(3_600)).span("email_handler", "delivery"))
        #expect(later.cumulative == span.cumulative)
        #expect(later.errorShare() == nil)
    }

    @Test func countersAccumulatePerDimension() throws {
        var store = try MetricsStore()
        for _ in 0..<3 { store.record(Measurements.counter("ingest", "messages", 2, outcome: "accepted"), at: t0) }
        store.record(Measurements.counter("ingest", "messages", 1, outcome: "rejected"), at: t0)
        let counters = store.snapshot(at: t0).counters
        #expect(counters.map(\.key.outcome) == ["accepted", "rejected"])
        #expect(counters.map(\.value) == [6, 1])
    }

    @Test func staleGaugesDisappearAndFreeTheirSeries() throws {
        var configuration = MetricsStoreConfiguration()
        configuration.gaugeInterval = 5
        configuration.staleAfterIntervals = 3
        var store = try MetricsStore(configuration: configuration)
        store.record(Measurements.gauge("scheduler", "backlog", 10), at: t0)
        store.record(Measurements.gauge("scheduler", "backlog", 12, actionType: "email"), at: t0)
        store.record(Measurements.gauge("scheduler", "backlog", 11), at: t0.addingTimeInterval(10))
        #expect(store.snapshot(at: t0.addingTimeInterval(15)).gauges.map(\.value) == [11, 12])
        // The email series was last refreshed at t0: 16 s later it is stale (3 intervals of 5 s), the total not.
        let snapshot = store.snapshot(at: t0.addingTimeInterval(16))
        #expect(snapshot.gauges.map(\.value) == [11])
        #expect(snapshot.gauges.first?.updatedAt == t0.addingTimeInterval(10))
        #expect(store.expireStaleGauges(at: t0.addingTimeInterval(16)) == 1)
        #expect(store.seriesCount == 1)
    }

    @Test func seriesBeyondTheLimitAreCountedNotKept() throws {
        var configuration = MetricsStoreConfiguration()
        configuration.maxSeries = 3
        var store = try MetricsStore(configuration: configuration)
        for org in 0..<10 {
            #expect(
                store.record(Measurements.gauge("scheduler", "in_flight", 1, org: "org\(org)"), at: t0)
                    == (org < 3 ? .recorded : .droppedSeries))
        }
        // Known series still record.
        #expect(store.record(Measurements.gauge("scheduler", "in_flight", 5, org: "org0"), at: t0) == .recorded)
        let snapshot = store.snapshot(at: t0)
        #expect(snapshot.gauges.count == 3)
        #expect(snapshot.statistics.droppedSeries == 7)
        #expect(snapshot.statistics.received == 11)
        #expect(snapshot.statistics.series == 3)
    }

    @Test func malformedMeasurementsAreCountedWithAReason() throws {
        var store = try MetricsStore()
        var noDuration = Measurements.span("ingest", "batch_commit", milliseconds: 1)
        noDuration.clearDuration()
        var badKind = Measurements.gauge("ingest", "x", 1)
        badKind.kind = .UNRECOGNIZED(9)
        let cases: [(Leadflow_V1_Measurement, String)] = [
            (Measurements.span("", "claim", milliseconds: 1), "empty component"),
            (Measurements.span("scheduler", "a.b", milliseconds: 1), "operation is not a subject token"),
            (noDuration, "span without a duration"),
            (Measurements.span("scheduler", "claim", milliseconds: -5), "negative"),
            (Measurements.counter("ingest", "messages", -1), "negative"),
            (Measurements.gauge("scheduler", "backlog", .nan), "not finite"),
            (badKind, "unknown measurement kind 9"),
        ]
        for (measurement, reason) in cases {
            guard case .malformed(let message) = store.record(measurement, at: t0) else {
                Issue.record("accepted \(measurement)")
                continue
            }
            #expect(message.contains(reason), "\(message)")
        }
        store.recordMalformed()
        let statistics = store.snapshot(at: t0).statistics
        #expect(statistics.malformed == 8)
        #expect(statistics.series == 0)
    }

    @Test func badSettingsAreRejectedWithEveryProblem() {
        var configuration = MetricsStoreConfiguration()
        configuration.window = 0
        configuration.maxSeries = 0
        #expect {
            try MetricsStore(configuration: configuration)
        } throws: { error in
            let message = (error as? MetricsStore.InvalidConfiguration)?.message ?? ""
            return message.contains("window must be longer than 0 s")
                && message.contains("maximum number of series must be at least 1")
        }
    }

    @Test func nPlusOnePairsAreKeptPerWindowAndBounded() throws {
        var configuration = MetricsStoreConfiguration()
        configuration.maxPairsPerSlot = 4
        var store = try MetricsStore(configuration: configuration)
        for items in 1...10 {
            store.record(
                Measurements.span("ingest", "batch_commit", milliseconds: 1, items: UInt64(items), queries: 2), at: t0)
        }
        store.record(Measurements.span("ingest", "batch_commit", milliseconds: 1), at: t0)  // no items: no pair
        let span = try #require(store.snapshot(at: t0).span("ingest", "batch_commit"))
        #expect(span.itemQueries.map(\.items).sorted() == [7, 8, 9, 10])
    }
}
