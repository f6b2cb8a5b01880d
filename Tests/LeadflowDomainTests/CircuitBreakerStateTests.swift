import Testing

@testable import LeadflowDomain

@Suite("Circuit breaker state machine")
struct CircuitBreakerStateTests {
    typealias Instant = ContinuousClock.Instant
    static let start = ContinuousClock.now

    static func at(_ seconds: Double) -> Instant { start + .seconds(seconds) }

    /// A breaker under `policy` (defaults: 5 in a row, 50 % of at least 20 in 30 s, open 30 s, one probe).
    static func breaker(_ change: (inout CircuitBreakerPolicy) -> Void = { _ in }) -> CircuitBreakerState {
        var policy = CircuitBreakerPolicy()
        change(&policy)
        return CircuitBreakerState(policy: policy, now: start)
    }

    /// Lets a delivery through at `time` (it must be allowed) and records its verdict.
    @discardableResult
    static func deliver(
        _ breaker: inout CircuitBreakerState, _ verdict: CircuitBreakerState.Verdict, at time: Double
    ) -> CircuitBreakerState.Transition? {
        let (admission, _) = breaker.admit(at: at(time))
        guard case .allowed(let ticket) = admission else {
            Issue.record("expected the delivery at \(time) s to be let through, got \(admission)")
            return nil
        }
        return breaker.record(verdict, ticket: ticket, at: at(time))
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
        var policy = CircuitBreakerPolicy()
        policy.consecutiveFailures = 0
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
