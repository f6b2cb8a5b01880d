/// What a handler reported for one attempt of an action, as the work queue applies it.
public struct ActionOutcome: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case succeeded
        /// Try again after `delay`; the action is dead once its attempts are used up.
        case retry(delay: Duration)
        case failedPermanently
        /// Still being delivered: extend the lease.
        case inProgress
        /// Not attempted (rate limited, circuit open): try again after `delay` without using up an attempt.
        case snoozed(delay: Duration)
    }

    public var actionID: Int
    public var attempt: Int
    public var kind: Kind
    public var error: String?
    /// The provider's id of what was sent (a message id), for the lead history.
    public var providerMessageID: String?
    /// How long the handler's delivery took, for the lead history.
    public var duration: Duration?

    public init(
        actionID: Int, attempt: Int, kind: Kind, error: String? = nil, providerMessageID: String? = nil,
        duration: Duration? = nil
    ) {
        self.actionID = actionID
        self.attempt = attempt
        self.kind = kind
        self.error = error
        self.providerMessageID = providerMessageID
        self.duration = duration
    }
}
