import LeadflowDomain
import Synchronization

/// The circuit breaker of one provider endpoint, shared by every delivery that goes there: after repeated
/// failures it turns deliveries away as snoozed instead of sending them, then lets probes through to see whether
/// the provider is back (`CircuitBreakerState` holds the rules).
public final class CircuitBreaker: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public enum Admission: Sendable {
        /// Send it; hand the ticket back with the outcome.
        case deliver(CircuitBreakerState.Ticket)
        /// Do not send it; report this outcome instead.
        case snooze(DeliveryOutcome)
    }

    /// `scheme://host:port`.
    public let endpoint: String
    public let policy: CircuitBreakerPolicy
    private let state: Mutex<CircuitBreakerState>
    private let now: @Sendable () -> Instant
    private let unit: @Sendable () -> Double

    /// `now` is the clock the breaker reads, `unit` the random draw in `0...1` that spreads snoozes (tests fix
    /// both).
    public init(
        endpoint: String, policy: CircuitBreakerPolicy, now: @escaping @Sendable () -> Instant = { .now },
        unit: @escaping @Sendable () -> Double = { .random(in: 0...1) }
    ) {
        self.endpoint = endpoint
        self.policy = policy
        self.now = now
        self.unit = unit
        state = Mutex(CircuitBreakerState(policy: policy, now: now()))
    }

    public var phase: CircuitBreakerState.Phase {
        state.withLock { $0.phase }
    }

    /// Whether a delivery may go to the provider now, and the phase change that asking caused, if any (the first
    /// call after the open interval makes the breaker half-open).
    public func admit() -> (Admission, CircuitBreakerState.Transition?) {
        let (admission, transition) = state.withLock { $0.admit(at: now()) }
        switch admission {
        case .allowed(let ticket):
            return (.deliver(ticket), transition)
        case .rejected(let remaining, let reason, let probing):
            let message =
                probing
                ? "the circuit breaker of \(endpoint) is half-open and its probes are out (it opened after \(reason))"
                : "the circuit breaker of \(endpoint) is open after \(reason)"
            let delay = policy.snoozeDelay(remaining: remaining, unit: unit())
            let reason = DeliveryFailure(.circuitOpen, message + "; not sent")
            return (.snooze(.snoozed(after: delay, reason: reason)), transition)
        }
    }

    /// Counts the outcome of a delivery that `ticket` let through, finished now; returns the phase change it caused,
    /// if any. The ticket holds when the delivery was let through, so a failure of one sent before the endpoint's
    /// last answer does not count as one in a row.
    public func record(
        _ outcome: DeliveryOutcome, ticket: CircuitBreakerState.Ticket
    ) -> CircuitBreakerState.Transition? {
        state.withLock { $0.record(outcome.breakerVerdict, ticket: ticket, at: now()) }
    }
}
