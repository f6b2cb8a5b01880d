/// How one delivery attempt ended, as a handler reports it to the scheduler in an `ActionResult`.
public enum DeliveryOutcome: Sendable, Hashable {
    /// Delivered; the provider's id of the message (SMTP queue id, API message id) when it gave one.
    case succeeded(providerMessageID: String? = nil)
    /// Failed in a way that may pass (a timeout, a 5xx, a 429): try again, not before `after` when given.
    case retry(DeliveryFailure, after: Duration? = nil)
    /// Failed in a way that retrying cannot fix (an invalid recipient, a 4xx): the action is dead.
    case failedPermanently(DeliveryFailure)
    /// Not attempted now (the provider endpoint's circuit breaker is open): due again after `after`, without
    /// using up an attempt. `reason` says why, with a class such as `circuit_open`.
    case snoozed(after: Duration, reason: DeliveryFailure)
}

/// Why a delivery failed: a stable class for metrics and alerts, and a message for people.
public struct DeliveryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var errorClass: DeliveryErrorClass
    /// Says what failed, naming the provider's host or the SMTP reply; never a credential or a message body.
    public var message: String

    public init(_ errorClass: DeliveryErrorClass, _ message: String) {
        self.errorClass = errorClass
        self.message = message
    }

    public var description: String { "\(errorClass.rawValue): \(message)" }
}
