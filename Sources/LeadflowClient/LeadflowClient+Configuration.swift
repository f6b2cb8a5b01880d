import LeadflowDomain
import ZeroMQ

extension LeadflowClient {
    /// How many messages a client keeps outstanding and how it retries them; the defaults ride out an
    /// ingest restart of about 30 seconds.
    public struct Configuration: Sendable {
        /// Messages sent and not yet answered, across every caller of the client; further publishes wait for
        /// a slot (back-pressure), so memory stays bounded however fast callers publish.
        public var maxOutstanding = 1_024
        /// How long one attempt waits for its ack before the message is sent again with the same msg id.
        public var attemptTimeout: Duration = .seconds(5)
        /// The pause between attempts: drawn at random up to `base · 2^(attempt−1)`, capped at `cap` (full
        /// jitter), so clients that lost ingest at the same moment do not all come back in step.
        public var retry = RetryPolicy(base: .milliseconds(100), cap: .seconds(5))
        /// How long after its first send a message is given up with ``LeadflowClientError/Code/timedOut``.
        public var deadline: Duration = .seconds(60)
        /// Attempts in total, the first one included; `nil`: as many as fit in the deadline.
        public var maxAttempts: Int? = nil
        /// The DEALER socket's options: reconnect back-off, heartbeats, CURVE.
        public var socketOptions = SocketOptions()
        /// Names the socket's thread (`zmq-<name>`) and appears in logs.
        public var name = "leadflow-client"

        public init() {}

        /// Throws ``LeadflowClientError/Code/invalidConfiguration`` naming every problem found.
        public func validate() throws(LeadflowClientError) {
            var problems: [String] = []
            if maxOutstanding < 1 { problems.append("maxOutstanding must be at least 1 (is \(maxOutstanding))") }
            if attemptTimeout <= .zero { problems.append("attemptTimeout must be positive (is \(attemptTimeout))") }
            if deadline < attemptTimeout {
                problems.append("deadline (\(deadline)) cannot be shorter than attemptTimeout (\(attemptTimeout))")
            }
            problems += retry.problems()
            if let maxAttempts, maxAttempts < 1 { problems.append("maxAttempts must be at least 1 (is \(maxAttempts))") }
            if name.isEmpty { problems.append("name cannot be empty") }
            guard problems.isEmpty else {
                throw LeadflowClientError(code: .invalidConfiguration, detail: problems.joined(separator: "; "))
            }
        }
    }
}
