import LeadflowBus

extension LeadflowClient {
    /// Ingest's `-ERR` answer to one message: the reason exactly as it was sent.
    public struct Rejection: Sendable, Hashable, CustomStringConvertible {
        /// The reason string from the `-ERR` reply, e.g. `Unknown Pipeline`.
        public let reason: String

        public init(reason: String) { self.reason = reason }

        /// The documented reason, or `nil` for one this client does not know (a newer ingest).
        public var knownReason: IngestReason? { IngestReason(rawValue: reason) }

        public var description: String { "-ERR '\(reason)'" }
    }
}
