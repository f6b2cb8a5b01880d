import LeadflowDomain
import Synchronization

/// A handler's circuit breakers, one per provider endpoint, made on first use with the handler's policy.
final class CircuitBreakers: Sendable {
    /// Past this many endpoints, closed breakers are dropped when a new one is made: webhook actions may name
    /// any number of hosts over a handler's life, and a closed breaker holds nothing that matters for long.
    static let pruneAbove = 1_000

    let policy: CircuitBreakerPolicy
    private let breakers = Mutex<[String: CircuitBreaker]>([:])

    init(policy: CircuitBreakerPolicy) {
        self.policy = policy
    }

    func breaker(for endpoint: String) -> CircuitBreaker {
        breakers.withLock { breakers in
            if let breaker = breakers[endpoint] { return breaker }
            if breakers.count >= Self.pruneAbove {
                breakers = breakers.filter { $0.value.phase != .closed }
            }
            let breaker = CircuitBreaker(endpoint: endpoint, policy: policy)
            breakers[endpoint] = breaker
            return breaker
        }
    }

    /// Every endpoint's breaker phase, by endpoint.
    func phases() -> [(String, CircuitBreakerState.Phase)] {
        breakers.withLock { breakers in breakers.map { ($0.key, $0.value) } }
            .sorted { $0.0 < $1.0 }.map { ($0.0, $0.1.phase) }
    }
}
