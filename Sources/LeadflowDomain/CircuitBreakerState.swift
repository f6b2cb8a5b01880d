/// The circuit breaker of one provider endpoint as a pure state machine: closed (deliveries go through, failures
/// are counted) → open (deliveries are turned away) → half-open (a few probes go through) → closed or open again.
/// No clock and no I/O of its own: every step is given the time, and returns what changed for the caller to log.
///
/// Failures in a row are counted in the order the requests were *sent*, not the order their verdicts arrive: a
/// failure counts toward the run only when its request was let through no earlier than the endpoint's last
/// answer. Requests that time out together were sent together, and their verdicts arrive a whole timeout after
/// those of their siblings; if the endpoint answered any request while they were in flight, it was not down,
/// and their failures say nothing about it in a row (they still count in the failure rate).
public struct CircuitBreakerState: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public enum Phase: Sendable, Hashable {
        case closed
        case open(until: Instant)
        case halfOpen
    }

    /// What a finished delivery says about the provider.
    public enum Verdict: Sendable, Hashable {
        /// The provider answered (a success, or a permanent refusal such as a 4xx: it is up).
        case success
        /// The provider failed in a way that may pass: a timeout, no connection, a 5xx, a 429.
        case failure
        /// Says nothing about the provider: nothing was sent (an invalid action), or the handler stopped first.
        case neutral
    }

    /// Proof that a delivery was let through, handed back with its verdict. A verdict counts only in the phase
    /// that admitted it: results of deliveries let through before the breaker opened change nothing later.
    public struct Ticket: Sendable, Hashable {
        let generation: Int
        /// Whether the delivery is one of the half-open phase's probes.
        public let isProbe: Bool
        /// When the delivery was let through: its request's start, as the breaker sees it.
        public let started: Instant
    }

    public enum Admission: Sendable, Hashable {
        case allowed(Ticket)
        /// Not to be sent: `remaining` until probes are let through (zero while half-open with every probe out),
        /// `reason` why the breaker opened.
        case rejected(remaining: Duration, reason: String, probing: Bool)
    }

    public enum Transition: Sendable, Hashable {
        /// From closed, or from half-open when a probe failed.
        case opened(reason: String)
        case halfOpened
        case closed
    }

    public let policy: CircuitBreakerPolicy
    public private(set) var phase = Phase.closed
    /// Why the breaker last opened.
    public private(set) var reason = ""
    /// Changes with every phase, so that tickets of an earlier phase are recognised.
    private var generation = 0
    /// Failures of requests let through since the endpoint last answered: the run that opens the breaker.
    private var consecutiveFailures = 0
    /// When the endpoint last answered (a success was recorded) in this phase; nil before its first answer.
    private var lastAnswer: Instant?
    private var window: FailureWindow
    private var probesOut = 0
    private var probeSuccesses = 0

    public init(policy: CircuitBreakerPolicy, now: Instant) {
        self.policy = policy
        window = FailureWindow(window: policy.window, origin: now)
    }

    /// Whether a delivery may go to the provider now. The first call after the open interval moves the breaker
    /// to half-open (the transition returned) and makes that delivery a probe.
    public mutating func admit(at now: Instant) -> (Admission, Transition?) {
        var transition: Transition?
        if case .open(let until) = phase {
            guard now >= until else { return (.rejected(remaining: until - now, reason: reason, probing: false), nil) }
            enter(.halfOpen, at: now)
            transition = .halfOpened
        }
        switch phase {
        case .closed:
            return (.allowed(Ticket(generation: generation, isProbe: false, started: now)), transition)
        case .halfOpen where probesOut + probeSuccesses < policy.halfOpenProbes:
            probesOut += 1
            return (.allowed(Ticket(generation: generation, isProbe: true, started: now)), transition)
        case .halfOpen, .open:
            return (.rejected(remaining: .zero, reason: reason, probing: true), transition)
        }
    }

    /// Counts the verdict of a delivery that `ticket` let through, finished at `now`; returns the transition it
    /// caused, if any.
    public mutating func record(_ verdict: Verdict, ticket: Ticket, at now: Instant) -> Transition? {
        guard ticket.generation == generation else { return nil }
        switch phase {
        case .closed:
            switch verdict {
            case .success:
                // Every failure in the run started before this answer, so the answer outdates them all.
                consecutiveFailures = 0
                lastAnswer = max(lastAnswer ?? now, now)
                window.record(failed: false, at: now)
            case .failure:
                if isInRun(ticket) { consecutiveFailures += 1 }
                window.record(failed: true, at: now)
                if let reason = tripReason(at: now) { return open(reason, at: now) }
            case .neutral:
                break
            }
        case .halfOpen:
            probesOut -= 1
            switch verdict {
            case .success:
                probeSuccesses += 1
                if probeSuccesses >= policy.halfOpenProbes {
                    enter(.closed, at: now)
                    return .closed
                }
            case .failure:
                return open("a probe failed", at: now)
            case .neutral:
                break
            }
        case .open:
            break
        }
        return nil
    }

    /// Whether a failure of the delivery `ticket` let through counts toward the run: it does unless the endpoint
    /// answered another request after this one was sent (while it was in flight), which shows the endpoint was up.
    private func isInRun(_ ticket: Ticket) -> Bool {
        guard let lastAnswer else { return true }
        return ticket.started >= lastAnswer
    }

    /// Why the failures recorded so far open the breaker, or nil when they do not.
    private func tripReason(at now: Instant) -> String? {
        if policy.consecutiveFailures > 0 && consecutiveFailures >= policy.consecutiveFailures {
            return "\(consecutiveFailures) consecutive failures"
        }
        let (requests, failures) = window.counts(at: now)
        guard requests >= policy.minimumRequests,
            Double(failures) >= policy.failureRate * Double(requests)
        else { return nil }
        let percent = Int((Double(failures) * 100 / Double(requests)).rounded())
        return "failure rate \(percent)% (\(failures) of \(requests) requests in the last \(policy.window))"
    }

    private mutating func open(_ reason: String, at now: Instant) -> Transition {
        self.reason = reason
        enter(.open(until: now + policy.openDuration), at: now)
        return .opened(reason: reason)
    }

    private mutating func enter(_ phase: Phase, at now: Instant) {
        self.phase = phase
        generation += 1
        consecutiveFailures = 0
        lastAnswer = nil
        probesOut = 0
        probeSuccesses = 0
        window = FailureWindow(window: policy.window, origin: now)
    }
}
