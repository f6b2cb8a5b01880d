import LeadflowDomain
import LeadflowProto
import Logging

extension HandlerService {
    /// Delivers `dispatch` through the circuit breaker of its endpoint, keeping its lease while the driver runs —
    /// or, while the breaker is open, reports it snoozed without sending anything.
    func deliverGuarded(
        _ dispatch: Leadflow_V1_ActionDispatch, trace: TraceParent, lease: LeaseKeeper.Lease?, leases: LeaseKeeper,
        logger: Logger
    ) async -> DeliveryOutcome {
        let breaker = breakers.flatMap { breakers in driver.endpoint(for: dispatch).map(breakers.breaker(for:)) }
        var ticket: CircuitBreakerState.Ticket?
        if let breaker {
            // Asked right before the driver starts: the instant in the ticket stands for the request's start, which
            // orders its verdict among the endpoint's answers (a timeout arrives a whole timeout later).
            let (admission, transition) = breaker.admit()
            if let transition { note(transition, of: breaker, cause: nil, logger: logger) }
            switch admission {
            case .snooze(let outcome): return outcome
            case .deliver(let admitted): ticket = admitted
            }
        }
        let token = lease.flatMap(leases.begin)
        let outcome = await driver.deliver(dispatch, trace: trace)
        if let token { leases.end(token) }
        if let breaker, let ticket, let transition = breaker.record(outcome, ticket: ticket) {
            note(transition, of: breaker, cause: outcome, logger: logger)
        }
        return outcome
    }

    /// Counts and logs a breaker's change of phase; `cause` is the outcome that made it, when one did.
    private func note(
        _ transition: CircuitBreakerState.Transition, of breaker: CircuitBreaker, cause: DeliveryOutcome?,
        logger: Logger
    ) {
        instruments.transition(transition, of: breaker)
        var metadata: Logger.Metadata = [HandlerLogKey.breakerEndpoint: "\(breaker.endpoint)"]
        switch cause {
        case .retry(let failure, _)?, .failedPermanently(let failure)?:
            metadata[HandlerLogKey.errorClass] = "\(failure.errorClass.rawValue)"
            metadata[HandlerLogKey.error] = "\(failure.message)"
        case .succeeded?, .snoozed?, nil:
            break
        }
        switch transition {
        case .opened(let reason):
            counters.withLock { $0.breakersOpened += 1 }
            metadata[HandlerLogKey.reason] = "\(reason)"
            metadata["breaker.open_for"] = "\(breaker.policy.openDuration)"
            logger.warning("circuit breaker opened; dispatches to the endpoint are snoozed", metadata: metadata)
        case .halfOpened:
            counters.withLock { $0.breakersHalfOpened += 1 }
            logger.info("circuit breaker half-open; probing the endpoint", metadata: metadata)
        case .closed:
            counters.withLock { $0.breakersClosed += 1 }
            logger.info("circuit breaker closed; the endpoint answers again", metadata: metadata)
        }
    }
}
