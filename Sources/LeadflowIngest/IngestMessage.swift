import LeadflowBus
import LeadflowDomain

/// A message ingest accepted for processing: who sent it for which organization, and what it asks.
public struct IngestMessage: Sendable, Equatable {
    /// The organization: the subject's last token.
    public let org: String
    /// `Nats-Msg-Id`, the deduplication key within the organization.
    public let msgID: String
    public let subject: Subject
    public let command: IngestCommand
    /// The publisher's `Traceparent` header as sent, when it sent one.
    public let traceparent: String?
    /// The trace the message's work carries: the publisher's, or a new one when it sent none or one that is not
    /// valid (W3C: a receiver that cannot parse `traceparent` starts a new trace).
    public let trace: TraceParent
    /// Whether the publisher sent a `Traceparent` that is not valid — or several, which W3C counts as invalid —
    /// and ``trace`` is a new one in its place.
    public let hasInvalidTraceparent: Bool
}
