/// Why a message was not accepted by ingest: a stable code to branch on, and a detail for logs.
///
/// Descriptions name msg ids, subjects and counts, never payload values.
public struct LeadflowClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable classification; the raw values are stable for logs and metrics.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// Ingest answered `-ERR`: ``LeadflowClientError/rejection`` says why. Never retried — sending the same
        /// message again gets the same answer; fix the cause (e.g. publish the pipeline) and publish again.
        public static let rejected = Code("rejected")
        /// No ack within the deadline or the maximum number of attempts. Ingest may still have committed
        /// the message: publish it again later with the same msg id.
        public static let timedOut = Code("timed_out")
        /// The organization id is not one NATS subject token; nothing was sent.
        public static let invalidOrganization = Code("invalid_organization")
        /// The subject, msg id, `Traceparent` or payload cannot be sent as given; nothing was sent.
        public static let invalidMessage = Code("invalid_message")
        /// ``LeadflowClient/Configuration/validate()`` found a problem.
        public static let invalidConfiguration = Code("invalid_configuration")
        /// The endpoint could not be connected to (malformed address, unsupported transport).
        public static let invalidEndpoint = Code("invalid_endpoint")
        /// The client was closed before the message was acknowledged.
        public static let closed = Code("closed")
        /// The publishing task was cancelled before the message was acknowledged.
        public static let cancelled = Code("cancelled")

        public var description: String { rawValue }
    }

    public var code: Code
    /// The message's `Nats-Msg-Id`, once it had one.
    public var msgID: String?
    /// How many times the message was sent (0: never).
    public var attempts: Int
    /// Ingest's answer, for ``Code/rejected``.
    public var rejection: LeadflowClient.Rejection?
    /// What happened, in words; never contains payload values.
    public var detail: String

    public init(
        code: Code, detail: String, msgID: String? = nil, attempts: Int = 0, rejection: LeadflowClient.Rejection? = nil
    ) {
        self.code = code
        self.detail = detail
        self.msgID = msgID
        self.attempts = attempts
        self.rejection = rejection
    }

    public var description: String {
        var text = "LeadflowClientError.\(code): \(detail)"
        if let msgID { text += " (msg id \(msgID), \(attempts) attempt\(attempts == 1 ? "" : "s"))" }
        return text
    }
}
