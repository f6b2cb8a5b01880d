/// When a provider endpoint's circuit breaker opens, how long it stays open, and how it probes before closing:
/// the settings every breaker of a handler shares (`handler.<type>.breaker.*`).
public struct CircuitBreakerPolicy: Sendable, Hashable {
    /// Opens after this many failures in a row, counted in the order the requests were sent: only failures of
    /// requests let through since the endpoint last answered count. 0: only the failure rate opens it.
    public var consecutiveFailures: Int = 5
    /// Opens when at least this share of the requests in `window` failed (0 < rate ≤ 1)…
    public var failureRate: Double = 0.5
    /// …provided the window holds at least this many requests.
    public var minimumRequests: Int = 20
    /// How far back the failure rate looks.
    public var window: Duration = .seconds(30)
    /// How long the breaker stays open before it lets probes through.
    public var openDuration: Duration = .seconds(30)
    /// Deliveries let through at once while half-open; this many successes close the breaker, one failure opens
    /// it again.
    public var halfOpenProbes: Int = 1

    public init() {}

    /// Problems with the values, each under its key (`failure_rate`, …), empty when they are usable.
    public func problems() -> [(key: String, message: String)] {
        var problems: [(key: String, message: String)] = []
        if consecutiveFailures < 0 {
            let message = "must be at least 0, where 0 leaves only the failure rate (got \(consecutiveFailures))"
            problems.append(("consecutive_failures", message))
        }
        if !(failureRate > 0 && failureRate <= 1) {
            problems.append(("failure_rate", "must be above 0 and at most 1, e.g. 0.5 (got \(failureRate))"))
        }
        if minimumRequests < 1 {
            problems.append(("minimum_requests", "must be at least 1 (got \(minimumRequests))"))
        }
        if window <= .zero { problems.append(("window", "must be longer than zero (got \(window))")) }
        if openDuration <= .zero {
            problems.append(("open_duration", "must be longer than zero (got \(openDuration))"))
        }
        if halfOpenProbes < 1 {
            problems.append(("half_open_probes", "must be at least 1 (got \(halfOpenProbes))"))
        }
        return problems
    }

    /// The snooze of a dispatch the breaker turned away `remaining` before it lets probes through (zero while
    /// half-open): the remaining open time plus up to half an open interval, drawn by `unit` in `0...1`, so that
    /// the dispatches snoozed during one open interval do not all come back at the same instant.
    public func snoozeDelay(remaining: Duration, unit: Double) -> Duration {
        max(remaining, .zero) + openDuration * (min(max(unit, 0), 1) / 2)
    }
}
