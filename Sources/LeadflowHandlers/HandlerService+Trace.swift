import LeadflowBus
import LeadflowDomain

extension HandlerService {
    /// The trace a delivery of `envelope` runs in: a child of the dispatch's `Traceparent` (the delivery is a
    /// step of its own: its provider requests and its result carry it), or a new trace when the dispatch has
    /// none or one that is not valid (W3C: restart the trace). `replaced` tells the latter case.
    static func deliveryTrace(of envelope: Envelope) -> (trace: TraceParent, replaced: Bool) {
        guard let sent = envelope.headers[Headers.Name.traceparent] else { return (.random(), false) }
        guard let received = TraceParent(sent) else { return (.random(), true) }
        return (received.child(), false)
    }
}
