import LeadflowDomain
import LeadflowProto

/// Delivers one dispatched action (sends the email, the SMS, calls the webhook) and says how it went.
///
/// A driver never throws: every failure is an outcome, classified as worth retrying or not (see
/// `DeliveryOutcome`). It is called for many dispatches at once, so it must not block its thread.
public protocol DeliveryDriver: Sendable {
    /// Delivers `dispatch` as a step of `trace` (nil: none): drivers that call HTTP APIs send it as the
    /// `traceparent` request header, as W3C Trace Context asks.
    func deliver(_ dispatch: Leadflow_V1_ActionDispatch, trace: TraceParent?) async -> DeliveryOutcome

    /// The provider endpoint `dispatch` goes to, as `scheme://host:port`: the dispatches to one endpoint share a
    /// circuit breaker. nil (the default) for a driver that sends nothing over the network, or a dispatch that
    /// names no usable endpoint.
    func endpoint(for dispatch: Leadflow_V1_ActionDispatch) -> String?

    /// Closes what the driver keeps open of its own (the SMTP driver's sessions, with `QUIT`) once no delivery
    /// runs any more; the default has nothing to close. Drivers on a shared `CurlMulti` leave it to its owner.
    func shutdown() async
}

extension DeliveryDriver {
    public func endpoint(for dispatch: Leadflow_V1_ActionDispatch) -> String? { nil }

    public func shutdown() async {}

    /// Delivers `dispatch` outside any trace.
    public func deliver(_ dispatch: Leadflow_V1_ActionDispatch) async -> DeliveryOutcome {
        await deliver(dispatch, trace: nil)
    }
}
