import Foundation
import LeadflowProto
import Testing

@testable import LeadflowCollector

/// Drives a store and an engine through time, one evaluation every `step` seconds.
struct Scenario {
    var store: MetricsStore
    var engine: RuleEngine
    var now = Date(timeIntervalSince1970: 1_750_000_000)
    var transitions: [AlertTransition] = []

    init(_ rules: [Rule]) throws {
        var configuration = MetricsStoreConfiguration()
        configuration.window = 10
        configuration.windowSlots = 5
        store = try MetricsStore(configuration: configuration)
        engine = RuleEngine(rules: rules)
    }

    mutating func record(_ measurement: Leadflow_V1_Measurement) { store.record(measurement, at: now) }

    /// Moves on `seconds`, feeding `measurements` each second, and evaluates every second.
    mutating func run(_ seconds: Int, _ measurements: (Int) -> [Leadflow_V1_Measurement] = { _ in [] }) {
        for second in 0..<seconds {
            now = now.addingTimeInterval(1)
            for measurement in measurements(second) { record(measurement) }
            transitions += engine.evaluate(store.snapshot(at: now), at: now)
        }
    }

    var states: [AlertTransition.State] { transitions.map(\.state) }
}

@Suite struct RuleEngineTests {
    static func rule(_ condition: RuleCondition, for holdFor: TimeInterval = 3, resolveFor: TimeInterval = 3) -> Rule {
        Rule(name: "r", severity: .warning, condition: condition, holdFor: holdFor, resolveFor: resolveFor)
    }

    /// Each kind with the measurements that make its condition hold and those that make it clear.
    static let kinds: [(name: String, rule: Rule, bad: @Sendable (Int) -> [Leadflow_V1_Measurement],
        good: @Sendable (Int) -> [Leadflow_V1_Measurement])] = [
        ("duration", rule(.duration(DurationCondition(above: 0.1, minCount: 1))),
         { _ in [Measurements.span("scheduler", "claim", milliseconds: 150)] },
         { _ in [Measurements.span("scheduler", "claim", milliseconds: 5)] }),
        ("gauge_above", rule(.gaugeAbove(GaugeAboveCondition(
            selector: SeriesSelector(match: [try! SeriesPattern("scheduler.oldest_due_age")]), above: 120))),
         { _ in [Measurements.gauge("scheduler", "oldest_due_age", 130)] },
         { _ in [Measurements.gauge("scheduler", "oldest_due_age", 3)] }),
        ("gauge_growing", rule(.gaugeGrowing(GaugeGrowingCondition(
            selector: SeriesSelector(match: [try! SeriesPattern("scheduler.backlog")]), over: 4))),
         { second in [Measurements.gauge("scheduler", "backlog", Double(1_000 + second * 10))] },
         { _ in [Measurements.gauge("scheduler", "backlog", 0)] }),
        ("error_rate", rule(.errorRate(ErrorRateCondition(above: 0.05, minCount: 5))),
         { _ in [Measurements.span("sms_handler", "delivery", milliseconds: 1, outcome: "failed")] },
         { _ in (0..<50).map { _ in Measurements.span("sms_handler", "delivery", milliseconds: 1, outcome: "succeeded") } }),
        ("counter_growing", rule(.counterGrowing(CounterGrowingCondition(
            selector: SeriesSelector(match: [try! SeriesPattern("scheduler.dead_letters")]), over: 3))),
         { second in [Measurements.gauge("scheduler", "dead_letters", Double(second))] },
         { _ in [Measurements.gauge("scheduler", "dead_letters", 0)] }),
        ("breaker_open", rule(.breakerOpen(BreakerOpenCondition(selector: SeriesSelector(match: [.breakers])))),
         { _ in [Measurements.gauge("email_handler", "breaker_open", 1, attributes: ["provider": "http://a"])] },
         { _ in [Measurements.gauge("email_handler", "breaker_open", 0, attributes: ["provider": "http://a"])] }),
        ("n_plus_one", rule(.nPlusOne(NPlusOneCondition(minCount: 5))),
         { second in [Measurements.span("ingest", "batch_commit", milliseconds: 1, items: UInt64(second % 5 + 1),
                                        queries: UInt32(second % 5 + 1) + 2)] },
         { second in (0..<40).map { _ in Measurements.span("ingest", "batch_commit", milliseconds: 1,
                                                           items: UInt64(second % 5 + 1), queries: 2) } }),
    ]

    @Test(arguments: kinds.indices)
    func everyKindFiresOnceAndResolvesOnce(index: Int) throws {
        let kind = Self.kinds[index]
        var scenario = try Scenario([kind.rule])
        scenario.run(30) { kind.good($0) }
        #expect(scenario.transitions.isEmpty, "\(kind.name) fired while healthy")
        scenario.run(40) { kind.bad($0) }
        #expect(scenario.states == [.firing], "\(kind.name)")
        #expect(scenario.engine.firing.count == 1, "\(kind.name)")
        scenario.run(40) { kind.good($0) }
        #expect(scenario.states == [.firing, .resolved], "\(kind.name)")
        #expect(scenario.engine.firing.isEmpty, "\(kind.name)")
        let resolved = try #require(scenario.transitions.last)
        #expect(resolved.endedAt != nil)
        #expect(resolved.alert.startedAt == scenario.transitions[0].alert.startedAt)
    }

    @Test func firesOnlyAfterForAndResolvesOnlyAfterResolveFor() throws {
        let rule = Rule(
            name: "oldest_due_over_sla", severity: .critical,
            condition: .gaugeAbove(GaugeAboveCondition(
                selector: SeriesSelector(match: [try SeriesPattern("scheduler.oldest_due_age")]), above: 120)),
            holdFor: 5, resolveFor: 10)
        var scenario = try Scenario([rule])
        let high = Measurements.gauge("scheduler", "oldest_due_age", 150)
        let low = Measurements.gauge("scheduler", "oldest_due_age", 10)
        let start = scenario.now
        // Holds at t+1 … t+5: at t+6 it has held for 5 s.
        scenario.run(4) { _ in [high] }
        #expect(scenario.transitions.isEmpty)
        scenario.run(2) { _ in [high] }
        let fired = try #require(scenario.transitions.first)
        #expect(fired.state == .firing)
        #expect(fired.alert.startedAt == start.addingTimeInterval(6))
        #expect(fired.alert.value == 150)
        #expect(fired.alert.threshold == 120)
        #expect(fired.alert.labels == ["component": "scheduler", "operation": "oldest_due_age"])
        #expect(fired.alert.summary == "scheduler.oldest_due_age is 150 > 120")
        // Clear for 9 s, then one high sample: no resolution, and the clear count starts again.
        scenario.run(9) { _ in [low] }
        scenario.run(1) { _ in [high] }
        scenario.run(9) { _ in [low] }
        #expect(scenario.states == [.firing])
        scenario.run(2) { _ in [low] }
        #expect(scenario.states == [.firing, .resolved])
        #expect(scenario.transitions[1].alert.value == 10)
    }

    @Test func aSingleSampleNeverFlaps() throws {
        let rule = Self.rule(.gaugeAbove(GaugeAboveCondition(
            selector: SeriesSelector(match: [try SeriesPattern("scheduler.backlog")]), above: 100)), for: 3)
        var scenario = try Scenario([rule])
        // Above the threshold every other second: never 3 s in a row.
        scenario.run(60) { second in [Measurements.gauge("scheduler", "backlog", second % 2 == 0 ? 500 : 1)] }
        #expect(scenario.transitions.isEmpty)
    }

    @Test func alertsAreKeptPerLabelledSeries() throws {
        let rule = Self.rule(.breakerOpen(BreakerOpenCondition(selector: SeriesSelector(match: [.breakers]))), for: 0)
        var scenario = try Scenario([rule])
        scenario.run(2) { _ in
            [
                Measurements.gauge("email_handler", "breaker_open", 1, attributes: ["provider": "smtp://a"]),
                Measurements.gauge("email_handler", "breaker_open", 1, attributes: ["provider": "smtp://b"]),
                Measurements.gauge("webhook_handler", "breaker_open", 0, attributes: ["provider": "http://c"]),
            ]
        }
        #expect(scenario.states == [.firing, .firing])
        #expect(scenario.engine.firing.map { $0.labels["provider"] } == ["smtp://a", "smtp://b"])
        #expect(scenario.engine.firing.first?.summary == "circuit breaker open for smtp://a")
    }

    @Test func aTransitionMapsToTheAlertMessageAndSubject() throws {
        let alert = FiringAlert(
            rule: "operation_slow", severity: .error, labels: ["component": "scheduler", "operation": "claim"],
            summary: "scheduler.claim p99 1.4 s > 1 s", value: 1.4, threshold: 1, unit: .seconds,
            startedAt: Date(timeIntervalSince1970: 100))
        let resolved = AlertTransition(state: .resolved, alert: alert, endedAt: Date(timeIntervalSince1970: 160))
        #expect(resolved.subject == "alert.error.operation_slow")
        let message = resolved.message
        #expect(message.rule == "operation_slow")
        #expect(message.severity == .error)
        #expect(message.state == .resolved)
        #expect(message.labels == alert.labels)
        #expect(message.value == 1.4)
        #expect(message.threshold == 1)
        #expect(message.startedAt.seconds == 100)
        #expect(message.endedAt.seconds == 160)
        #expect(!AlertTransition(state: .firing, alert: alert).message.hasEndedAt)
    }

    @Test func durationOverridesReplaceTheThresholdOfOneOperation() throws {
        let claim = SpanKey(component: "scheduler", operation: "claim")
        let rule = Self.rule(.duration(DurationCondition(above: 0.1, overrides: [claim: 0.5])), for: 0)
        var scenario = try Scenario([rule])
        scenario.run(3) { _ in
            [
                Measurements.span("scheduler", "claim", milliseconds: 300),
                Measurements.span("ingest", "batch_commit", milliseconds: 300),
            ]
        }
        #expect(scenario.engine.firing.map { $0.labels["component"] } == ["ingest"])
    }
}

@Suite struct NPlusOneTests {
    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)

    /// Observations of the default N+1 condition over spans with these (items, queries).
    static func observe(_ pairs: [(UInt64, UInt32)]) throws -> [RuleObservation] {
        var store = try MetricsStore()
        for (items, queries) in pairs {
            store.record(
                Measurements.span("scheduler", "result_apply", milliseconds: 1, items: items, queries: queries), at: t0)
        }
        return NPlusOneCondition().observations(in: store.snapshot(at: t0))
    }

    /// (items, queries) for each `i` in `range`.
    static func pairs(_ range: ClosedRange<Int>, _ make: (Int) -> (items: Int, queries: Int)) -> [(UInt64, UInt32)] {
        range.map { index -> (UInt64, UInt32) in
            let pair = make(index)
            return (UInt64(pair.items), UInt32(pair.queries))
        }
    }

    static let growing: [(String, [(UInt64, UInt32)], Double)] = [
        ("one query per item", pairs(1...20) { ($0, $0 + 1) }, 1),
        ("two queries per item", pairs(1...20) { ($0 % 5 + 1, 2 * ($0 % 5 + 1) + 3) }, 2),
        ("three fifths of a query per item with noise", pairs(1...40) { ($0, 3 * $0 / 5 + $0 % 2) }, 0.6),
    ]

    @Test(arguments: growing)
    func queriesGrowingWithItemsIsDetected(name: String, pairs: [(UInt64, UInt32)], slope: Double) throws {
        let observation = try #require(try Self.observe(pairs).first)
        #expect(observation.holds, "\(name)")
        #expect(abs(observation.value - slope) < 0.05, "\(name): slope \(observation.value)")
    }

    static let scrambled = [9, 1, 7, 2, 8, 3]
    static let flat: [(String, [(UInt64, UInt32)])] = [
        ("constant queries with growing items", pairs(1...20) { ($0, 3) }),
        ("a tenth of a query per item", pairs(1...50) { ($0 * 10, $0) }),
        ("uncorrelated queries", pairs(1...30) { ($0 % 6 + 1, scrambled[$0 % 6] + $0 % 4) }),
    ]

    @Test(arguments: flat)
    func queriesNotGrowingWithItemsIsNotDetected(name: String, pairs: [(UInt64, UInt32)]) throws {
        let observations = try Self.observe(pairs)
        #expect(observations.count == 1)
        #expect(observations.allSatisfy { !$0.holds }, "\(name): \(observations)")
    }

    @Test func tooFewDistinctItemCountsIsNotJudged() throws {
        // Many spans but only two item counts: no line can be trusted.
        let twoCounts = try Self.observe(Self.pairs(1...30) { ($0 % 2 + 1, ($0 % 2 + 1) * 5) })
        #expect(twoCounts.isEmpty)
        // Too few spans.
        let few = try Self.observe(Self.pairs(1...3) { ($0, $0 + 1) })
        #expect(few.isEmpty)
    }
}
