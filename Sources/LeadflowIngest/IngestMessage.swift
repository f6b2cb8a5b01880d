import LeadflowBus

/// A message ingest accepted for processing: who sent it for which organization, and what it asks.
public struct IngestMessage: Sendable, Equatable {
    /// The organization: the subject's last token.
    public let org: String
    /// `Nats-Msg-Id`, the deduplication key within the organization.
    public let msgID: String
    public let subject: Subject
    public let command: IngestCommand
    /// The publisher's W3C trace context, when it sent one.
    public let traceparent: String?
}
