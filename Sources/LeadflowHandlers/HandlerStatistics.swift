/// What a handler service has done since it started: the figures it reports.
public struct HandlerStatistics: Sendable, Hashable {
    /// Dispatches delivered (`OUTCOME_SUCCEEDED`).
    public var delivered = 0
    /// Attempts that failed and will be retried (`OUTCOME_RETRY`).
    public var retried = 0
    /// Actions that failed permanently (`OUTCOME_FAILED_PERMANENTLY`).
    public var failed = 0
    /// Dispatches not sent because their endpoint's circuit breaker was open (`OUTCOME_SNOOZED`).
    public var snoozed = 0
    /// IN_PROGRESS results pushed for deliveries still running late in their lease.
    public var leaseExtensions = 0
    /// Messages that were not a usable dispatch (bad envelope, wrong subject, not an `ActionDispatch`, no action
    /// id); logged and skipped, with no result.
    public var undecodable = 0
    /// Deliveries running now.
    public var inFlight = 0
    /// Results the result socket refused (it was closed); the scheduler re-dispatches those actions when their
    /// lease ends.
    public var resultsLost = 0
    /// Dispatches taken in but not started when the handler stopped, returned to the scheduler (a zero-delay
    /// snooze) so that another handler takes them at once.
    public var handedBack = 0
    /// Dispatches whose deadline (the end of their lease) had passed before they could start: not delivered,
    /// since the scheduler sends the action again; handed back like the above.
    public var expired = 0
    /// Dispatches handed back unsent because the lead had opted out of the channel since the claim.
    public var suppressed = 0
    /// Final results pushed and not yet acknowledged by a scheduler's receipt (with receipt endpoints).
    public var unconfirmed = 0
    /// Results pushed again because no receipt came in time.
    public var resultsResent = 0
    /// Results given up unacknowledged after their retention (the lease) ended.
    public var resultsGivenUp = 0
    /// Unacknowledged results written to the spool at shutdown.
    public var resultsSpooled = 0
    /// Results read back from the spool at start and pushed.
    public var resultsRestored = 0
    /// Circuit breakers that opened: from closed, or again from half-open when a probe failed.
    public var breakersOpened = 0
    /// Circuit breakers that went half-open (their open interval ended and a probe was let through).
    public var breakersHalfOpened = 0
    /// Circuit breakers that closed again after successful probes.
    public var breakersClosed = 0

    public init() {}
}
