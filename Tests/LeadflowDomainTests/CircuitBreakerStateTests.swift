import Testing

@testable import LeadflowDomain

@Suite("Circuit breaker state machine")
struct CircuitBreakerStateTests {
    typealias Instant = ContinuousClock.Instant
    static let start = ContinuousClock.now

    static func at(_ seconds: Double) -> Instant { start + .seconds(seconds) }

    /// A breaker under `policy` (defaults: 5 in a row since the last answer, 50 % of at least 20 in 30 s, open
    /// 30 s, one probe).
    static func breaker(_ change: (inout CircuitBreakerPolicy) -> Void = { _ in }) -> CircuitBreakerState {
        var policy = CircuitBreakerPolicy()
        change(&policy)
        return CircuitBreakerState(policy: policy, now: start)
    }

    /// Lets a delivery through at `time` (it must be allowed) and returns its ticket, for a verdict recorded later.
    static func send(_ breaker: inout CircuitBreakerState, at time: Double) -> CircuitBreakerState.Ticket? {
        let (admission, _) = breaker.admit(at: at(time))
        guard case .allowed(let ticket) = admission else {
            Issue.record("expected the delivery at \(time) s to be let through, got \(admission)")
            return nil
        }
        return ticket
    }

    /// Lets a delivery through at `time` (it must be allowed) and records its verdict at `end` (default: at once).
    @discardableResult
    static func deliver(
        _ breaker: inout CircuitBreakerState, _ verdict: CircuitBreakerState.Verdict, at time: Double,
        end: Double? = nil
    ) -> CircuitBreakerState.Transition? {
        guard let ticket = send(&breaker, at: time) else { return nil }
        return breaker.record(verdict, ticket: ticket, at: at(end ?? time))
    }

    /// A breaker that opened at 0 s after five failures.
    static func opened(_ change: (inout CircuitBreakerPolicy) -> Void = { _ in }) -> CircuitBreakerState {
        var breaker = breaker(change)
        for _ in 1...5 { deliver(&breaker, .failure, at: 0) }
        return breaker
    }

    @Test func successesAndNeutralVerdictsKeepItClosed() {
        var breaker = Self.breaker()
        for second in 0..<100 {
            #expect(Self.deliver(&breaker, second % 2 == 0 ? .success : .neutral, at: Double(second) / 10) == nil)
        }
        #expect(breaker.phase == .closed)
    }

    @Test func itOpensAfterTheConsecutiveFailuresAndNotBefore() {
        var breaker = Self.breaker()
        for _ in 1...4 { #expect(Self.deliver(&breaker, .failure, at: 1) == nil) }
        #expect(Self.deliver(&breaker, .failure, at: 1) == .opened(reason: "5 consecutive failures"))
        #expect(breaker.phase == .open(until: Self.at(31)))
        #expect(breaker.reason == "5 consecutive failures")
    }

    @Test func aSuccessInBetweenStartsTheCountAgain() {
        var breaker = Self.breaker()
        for _ in 1...4 { Self.deliver(&breaker, .failure, at: 1) }
        Self.deliver(&breaker, .success, at: 1)
        for _ in 1...4 { #expect(Self.deliver(&breaker, .failure, at: 1) == nil) }
        #expect(breaker.phase == .closed)
    }

    @Test func neutralVerdictsDoNotBreakARunOfFailures() {
        var breaker = Self.breaker()
        for _ in 1...4 {
            Self.deliver(&breaker, .failure, at: 1)
            Self.deliver(&breaker, .neutral, at: 1)
        }
        #expect(Self.deliver(&breaker, .failure, at: 1) == .opened(reason: "5 consecutive failures"))
    }

    @Test func itOpensWhenTheFailureRateReachesTheThresholdOverEnoughRequests() {
        var breaker = Self.breaker { $0.consecutiveFailures = 1000 }
        // 19 requests, 10 of them failed: over half, but fewer than the minimum of 20.
        for index in 0..<19 {
            #expect(Self.deliver(&breaker, index % 2 == 0 ? .failure : .success, at: Double(index)) == nil)
        }
        #expect(breaker.phase == .closed)
        // The 20th, a success, makes 10 of 20; only a failure can open it: 11 of 21.
        #expect(Self.deliver(&breaker, .success, at: 19) == nil)
        #expect(
            Self.deliver(&breaker, .failure, at: 19.5)
                == .opened(reason: "failure rate 52% (11 of 21 requests in the last 30.0 seconds)"))
    }

    @Test func aFailureRateJustBelowTheThresholdKeepsItClosed() {
        var breaker = Self.breaker { $0.consecutiveFailures = 1000 }
        // Two successes for each failure: a third of the requests fail, under the half that opens it.
        for index in 0..<60 { Self.deliver(&breaker, index % 3 == 0 ? .failure : .success, at: Double(index) / 10) }
        #expect(breaker.phase == .closed)
    }

    @Test func failuresOlderThanTheWindowNoLongerCount() {
        var breaker = Self.breaker {
            $0.consecutiveFailures = 1000
            $0.minimumRequests = 10
        }
        // Nine failures early on; 40 s later they have left the 30-second window.
        for _ in 0..<9 { Self.deliver(&breaker, .failure, at: 0) }
        for _ in 0..<9 { Self.deliver(&breaker, .success, at: 40) }
        #expect(Self.deliver(&breaker, .failure, at: 40) == nil)
        #expect(breaker.phase == .closed)
    }

    /// Where the hanging requests sit in a batch sent at once: the order within a batch is up to the scheduler.
    enum HangPosition: String, CaseIterable, Sendable {
        case first, interleaved, last

        func hangs(_ index: Int, of count: Int, hanging: Int) -> Bool {
            switch self {
            case .first: index < hanging
            case .interleaved: index % (count / hanging) == 0
            case .last: index >= count - hanging
            }
        }
    }

    @Test(arguments: HangPosition.allCases)
    func aBurstOfSimultaneousTimeoutsAmongSuccessesDoesNotOpenIt(position: HangPosition) {
        var breaker = Self.breaker()
        // At 10 s a batch of 24 goes out within 7 ms; 16 are answered 50 ms later, 8 hang until their 30-second
        // timeout and fail together at 40 s. In the order they arrive, those are 8 failures in a row.
        var answered: [CircuitBreakerState.Ticket] = []
        var hung: [CircuitBreakerState.Ticket] = []
        for index in 0..<24 {
            guard let ticket = Self.send(&breaker, at: 10 + Double(index) * 0.0003) else { return }
            if position.hangs(index, of: 24, hanging: 8) { hung.append(ticket) } else { answered.append(ticket) }
        }
        for ticket in answered { #expect(breaker.record(.success, ticket: ticket, at: Self.at(10.05)) == nil) }
        // Other traffic goes on, one request a second, answered at once.
        for second in 11..<40 { #expect(Self.deliver(&breaker, .success, at: Double(second)) == nil) }
        for ticket in hung { #expect(breaker.record(.failure, ticket: ticket, at: Self.at(40)) == nil) }
        #expect(breaker.phase == .closed)
        // The endpoint answered while they hung, so the run is still empty: four fresh failures do not open it.
        for time in [40.1, 40.2, 40.3, 40.4] { #expect(Self.deliver(&breaker, .failure, at: time) == nil) }
        #expect(Self.deliver(&breaker, .failure, at: 40.5) == .opened(reason: "5 consecutive failures"))
    }

    @Test func aBurstOfTimeoutsOpensItWhenNothingWasAnsweredWhileTheyHung() {
        var breaker = Self.breaker()
        // The endpoint last answered at 5 s; the batch sent at 10 s hangs as a whole, as with a provider that stopped
        // answering: every request sent since its last answer failed.
        Self.deliver(&breaker, .success, at: 5)
        var hung: [CircuitBreakerState.Ticket] = []
        for index in 0..<8 {
            guard let ticket = Self.send(&breaker, at: 10 + Double(index) * 0.001) else { return }
            hung.append(ticket)
        }
        for ticket in hung.prefix(4) { #expect(breaker.record(.failure, ticket: ticket, at: Self.at(40)) == nil) }
        #expect(breaker.record(.failure, ticket: hung[4], at: Self.at(40)) == .opened(reason: "5 consecutive failures"))
    }

    @Test func aSustainedFailureRateOpensItThoughTheTimeoutsEachEndTogetherWithTheirBatch() {
        var breaker = Self.breaker()
        // Each second five requests go out together: two are answered at once, three time out together 0.9 s later.
        // Every timeout was in flight when the endpoint answered, so none counts in a row; in the failure rate each
        // counts: 3 of 5 requests, 60 %.
        for second in 0..<3 {
            Self.sendBatch(&breaker, at: Double(second)) { transition in #expect(transition == nil) }
        }
        // 15 requests, 9 failures: the rate is over half, but the window holds fewer than the minimum of 20.
        #expect(breaker.phase == .closed)
        var transitions: [CircuitBreakerState.Transition?] = []
        Self.sendBatch(&breaker, at: 3) { transitions.append($0) }
        #expect(
            transitions == [
                nil, nil, nil, nil, .opened(reason: "failure rate 60% (12 of 20 requests in the last 30.0 seconds)"),
            ])
    }

    /// Five requests sent at `time` within 4 ms: two answered 0.1 s later, three timing out together at 0.9 s; each
    /// verdict's transition is handed to `check`, in the order they arrive.
    static func sendBatch(
        _ breaker: inout CircuitBreakerState, at time: Double, check: (CircuitBreakerState.Transition?) -> Void
    ) {
        var tickets: [CircuitBreakerState.Ticket] = []
        for index in 0..<5 {
            guard let ticket = send(&breaker, at: time + Double(index) * 0.001) else { return }
            tickets.append(ticket)
        }
        for ticket in tickets[..<2] { check(breaker.record(.success, ticket: ticket, at: at(time + 0.1))) }
        for ticket in tickets[2...] { check(breaker.record(.failure, ticket: ticket, at: at(time + 0.9))) }
    }

    @Test(arguments: [1.1, 0.2])
    func consecutiveFailuresOfRequestsSentOneAfterAnotherOpenIt(interval: Double) {
        var breaker = Self.breaker()
        Self.deliver(&breaker, .success, at: 0, end: 0.1)
        // Sent after the endpoint's last answer, each failing a second later: one at a time (each sent after the
        // previous failed), or overlapping (sent 0.2 s apart, so several are in flight at once).
        let sent = (0..<5).map { 0.2 + Double($0) * interval }
        let tickets = sent.compactMap { Self.send(&breaker, at: $0) }
        let transitions = zip(tickets, sent).map { ticket, time in
            breaker.record(.failure, ticket: ticket, at: Self.at(time + 1))
        }
        #expect(transitions == [nil, nil, nil, nil, .opened(reason: "5 consecutive failures")])
    }

    @Test func aFailureCountsInARowOnlyWhenItsRequestWasSentNoEarlierThanTheLastAnswer() {
        var breaker = Self.breaker()
        guard let answered = Self.send(&breaker, at: 4), let early = Self.send(&breaker, at: 4.999) else { return }
        #expect(breaker.record(.success, ticket: answered, at: Self.at(5)) == nil)
        // Sent at the instant of the answer: they count.
        for _ in 0..<4 { #expect(Self.deliver(&breaker, .failure, at: 5, end: 6) == nil) }
        // Sent 1 ms before the answer, so in flight while the endpoint answered: not the fifth in a row.
        #expect(breaker.record(.failure, ticket: early, at: Self.at(6)) == nil)
        #expect(breaker.phase == .closed)
        #expect(Self.deliver(&breaker, .failure, at: 5.5, end: 6) == .opened(reason: "5 consecutive failures"))
    }

    @Test func withNoConsecutiveFailuresSetOnlyTheFailureRateOpensIt() {
        var breaker = Self.breaker { $0.consecutiveFailures = 0 }
        for index in 0..<19 { #expect(Self.deliver(&breaker, .failure, at: Double(index) / 10) == nil) }
        #expect(breaker.phase == .closed)
        #expect(
            Self.deliver(&breaker, .failure, at: 2)
                == .opened(reason: "failure rate 100% (20 of 20 requests in the last 30.0 seconds)"))
    }

    @Test func whileOpenDeliveriesAreTurnedAwayWithTheTimeLeft() {
        var breaker = Self.opened()
        let (admission, transition) = breaker.admit(at: Self.at(12))
        #expect(admission == .rejected(remaining: .seconds(18), reason: "5 consecutive failures", probing: false))
        #expect(transition == nil)
        #expect(breaker.phase == .open(until: Self.at(30)))
    }

    @Test func afterTheOpenIntervalOneProbeGoesThroughAndTheRestWait() {
        var breaker = Self.opened()
        let (probe, transition) = breaker.admit(at: Self.at(30))
        #expect(transition == .halfOpened)
        #expect(breaker.phase == .halfOpen)
        guard case .allowed(let ticket) = probe else {
            Issue.record("expected a probe, got \(probe)")
            return
        }
        #expect(ticket.isProbe)
        let (second, _) = breaker.admit(at: Self.at(30.1))
        #expect(second == .rejected(remaining: .zero, reason: "5 consecutive failures", probing: true))
    }

    @Test func aSuccessfulProbeClosesIt() {
        var breaker = Self.opened()
        #expect(Self.deliver(&breaker, .success, at: 31) == .closed)
        #expect(breaker.phase == .closed)
        // Closed again with a clean slate: four failures do not reopen it.
        for _ in 1...4 { #expect(Self.deliver(&breaker, .failure, at: 32) == nil) }
    }

    @Test func aFailedProbeOpensItForAnotherInterval() {
        var breaker = Self.opened()
        #expect(Self.deliver(&breaker, .failure, at: 31) == .opened(reason: "a probe failed"))
        #expect(breaker.phase == .open(until: Self.at(61)))
        let (admission, _) = breaker.admit(at: Self.at(41))
        #expect(admission == .rejected(remaining: .seconds(20), reason: "a probe failed", probing: false))
    }

    @Test func aNeutralProbeFreesItsPlaceForAnother() {
        var breaker = Self.opened()
        #expect(Self.deliver(&breaker, .neutral, at: 31) == nil)
        #expect(breaker.phase == .halfOpen)
        #expect(Self.deliver(&breaker, .success, at: 32) == .closed)
    }

    @Test func withSeveralProbesEachMustSucceed() {
        var breaker = Self.opened { $0.halfOpenProbes = 2 }
        var tickets: [CircuitBreakerState.Ticket] = []
        for time in [30.0, 30.1, 30.2] {
            if case .allowed(let ticket) = breaker.admit(at: Self.at(time)).0 { tickets.append(ticket) }
        }
        #expect(tickets.count == 2)
        #expect(breaker.record(.success, ticket: tickets[0], at: Self.at(31)) == nil)
        // One success and one probe out: the two probes are used up, so nothing more goes through yet.
        #expect(
            breaker.admit(at: Self.at(31)).0
                == .rejected(remaining: .zero, reason: "5 consecutive failures", probing: true))
        #expect(breaker.record(.success, ticket: tickets[1], at: Self.at(31)) == .closed)
    }

    @Test func aLateFailedProbeOfTwoReopensEvenAfterOneSucceeded() {
        var breaker = Self.opened { $0.halfOpenProbes = 2 }
        let first = breaker.admit(at: Self.at(30)).0
        let second = breaker.admit(at: Self.at(30)).0
        guard case .allowed(let one) = first, case .allowed(let two) = second else {
            Issue.record("expected two probes, got \(first), \(second)")
            return
        }
        #expect(breaker.record(.success, ticket: one, at: Self.at(31)) == nil)
        #expect(breaker.record(.failure, ticket: two, at: Self.at(31)) == .opened(reason: "a probe failed"))
    }

    @Test func verdictsOfAnEarlierPhaseChangeNothing() {
        var breaker = Self.breaker()
        // Let through while closed, still running when the breaker opens and when it half-opens.
        guard case .allowed(let stale) = breaker.admit(at: Self.at(0)).0 else {
            Issue.record("expected a closed breaker to let the delivery through")
            return
        }
        for _ in 1...5 { Self.deliver(&breaker, .failure, at: 0) }
        #expect(breaker.record(.success, ticket: stale, at: Self.at(5)) == nil)
        #expect(breaker.phase == .open(until: Self.at(30)))
        _ = breaker.admit(at: Self.at(30))
        #expect(breaker.record(.success, ticket: stale, at: Self.at(31)) == nil)
        #expect(breaker.phase == .halfOpen)
        #expect(breaker.record(.failure, ticket: stale, at: Self.at(31)) == nil)
        #expect(breaker.phase == .halfOpen)
    }

    @Test func theSnoozeIsTheTimeLeftPlusUpToHalfAnInterval() {
        let policy = CircuitBreakerPolicy()
        #expect(policy.snoozeDelay(remaining: .seconds(12), unit: 0) == .seconds(12))
        #expect(policy.snoozeDelay(remaining: .seconds(12), unit: 1) == .seconds(27))
        #expect(policy.snoozeDelay(remaining: .zero, unit: 0.5) == .seconds(7.5))
        #expect(policy.snoozeDelay(remaining: .seconds(-1), unit: 7) == .seconds(15))
    }

    @Test func defaultsAreUsableAndBadValuesAreNamed() {
        #expect(CircuitBreakerPolicy().problems().isEmpty)
        var rateOnly = CircuitBreakerPolicy()
        rateOnly.consecutiveFailures = 0
        #expect(rateOnly.problems().isEmpty)
        var policy = CircuitBreakerPolicy()
        policy.consecutiveFailures = -1
        policy.failureRate = 1.5
        policy.minimumRequests = 0
        policy.window = .zero
        policy.openDuration = .seconds(-1)
        policy.halfOpenProbes = 0
        #expect(
            policy.problems().map(\.key) == [
                "consecutive_failures", "failure_rate", "minimum_requests", "window", "open_duration",
                "half_open_probes",
            ])
        #expect(policy.problems()[0].message == "must be at least 0, where 0 leaves only the failure rate (got -1)")
        #expect(policy.problems()[1].message == "must be above 0 and at most 1, e.g. 0.5 (got 1.5)")
    }
}

@Suite("Failure window")
struct FailureWindowTests {
    static let start = ContinuousClock.now

    @Test func countsWhatFallsWithinTheWindow() {
        var window = FailureWindow(window: .seconds(10), origin: Self.start)
        window.record(failed: true, at: Self.start)
        window.record(failed: false, at: Self.start + .seconds(4))
        window.record(failed: true, at: Self.start + .seconds(9.9))
        #expect(window.counts(at: Self.start + .seconds(9.9)) == (3, 2))
        // At 10.5 s the first bucket (0–1 s) has left the window; at 25 s everything has.
        #expect(window.counts(at: Self.start + .seconds(10.5)) == (2, 1))
        #expect(window.counts(at: Self.start + .seconds(25)) == (0, 0))
    }

    @Test func aReusedBucketForgetsItsOldCounts() {
        var window = FailureWindow(window: .seconds(10), origin: Self.start)
        for _ in 0..<5 { window.record(failed: true, at: Self.start + .seconds(0.5)) }
        // 10.5 s falls in the same bucket position as 0.5 s, one window later.
        window.record(failed: false, at: Self.start + .seconds(10.5))
        #expect(window.counts(at: Self.start + .seconds(10.5)) == (1, 0))
    }
}
