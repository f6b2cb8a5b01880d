import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LeadflowClient {
    /// How many messages a client keeps outstanding and how it retries them; the defaults ride out an
    /// ingest restart of about 30 seconds.
    public struct Configuration: Sendable {
        /// Messages sent and not yet answered, across every caller of the client; further publishes wait for
        /// a slot (back-pressure), so memory stays bounded however fast callers publish.
        public var maxOutstanding = 1_024
        /// How long one attempt waits for its ack before the message is sent again with the same msg id.
        public var attemptTimeout: Duration = .seconds(5)
        /// The pause before the second attempt; each further pause is `backoffMultiplier` times longer, up to
        /// `maxBackoff`.
        public var initialBackoff: Duration = .milliseconds(100)
        public var maxBackoff: Duration = .seconds(5)
        public var backoffMultiplier: Double = 2
        /// Each pause is drawn at random from `(1 − jitter) × pause … pause`, so clients that lost ingest at the
        /// same moment do not all come back in step. 0 disables jitter.
        public var jitter: Double = 0.5
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
            if initialBackoff < .zero { problems.append("initialBackoff cannot be negative (is \(initialBackoff))") }
            if maxBackoff < initialBackoff {
                problems.append("maxBackoff (\(maxBackoff)) cannot be shorter than initialBackoff (\(initialBackoff))")
            }
            if !(backoffMultiplier >= 1) { problems.append("backoffMultiplier must be at least 1 (is \(backoffMultiplier))") }
            if !(0...1).contains(jitter) { problems.append("jitter must be between 0 and 1 (is \(jitter))") }
            if let maxAttempts, maxAttempts < 1 { problems.append("maxAttempts must be at least 1 (is \(maxAttempts))") }
            if name.isEmpty { problems.append("name cannot be empty") }
            guard problems.isEmpty else {
                throw LeadflowClientError(code: .invalidConfiguration, detail: problems.joined(separator: "; "))
            }
        }

        /// The pause after failed attempt `attempt` (counted from 1); `random` in 0…1 picks within the jitter.
        func backoff(afterAttempt attempt: Int, random: Double) -> Duration {
            let initial = initialBackoff.seconds
            let grown = initial * pow(backoffMultiplier, Double(max(0, attempt - 1)))
            let capped = min(grown, maxBackoff.seconds)
            return .seconds(capped * (1 - jitter * random))
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
