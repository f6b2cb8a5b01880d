extension LeadflowClient {
    /// Proof that ingest committed a message: its msg id, how many sends it took, and how long.
    public struct Receipt: Sendable, Hashable, CustomStringConvertible {
        /// The `Nats-Msg-Id` the message travelled with (generated unless the caller gave one).
        public let msgID: String
        /// Sends until `+OK`: 1 unless an ack was lost or ingest was unavailable.
        public let attempts: Int
        /// From the first send to `+OK` (time spent waiting for a slot in the window not included).
        public let latency: Duration

        public init(msgID: String, attempts: Int, latency: Duration) {
            self.msgID = msgID
            self.attempts = attempts
            self.latency = latency
        }

        public var description: String { "+OK \(msgID) after \(attempts) attempt\(attempts == 1 ? "" : "s") in \(latency)" }
    }
}
