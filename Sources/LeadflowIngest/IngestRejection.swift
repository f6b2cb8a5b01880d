import LeadflowBus

/// Why ingest refuses one message: the stable reason the client sees and a detail for the log.
public struct IngestRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: IngestReason
    /// What exactly was wrong, for logs and metrics; never contains payload values.
    public let detail: String

    public init(_ reason: IngestReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    init(_ error: EnvelopeError) {
        // The bus owns the envelope reasons; ingest answers with them as they are.
        self.init(error.reason, error.description)
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}
