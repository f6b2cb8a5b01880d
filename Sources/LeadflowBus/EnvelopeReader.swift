import Logging
import ZeroMQ

/// Turns a socket loop's inbound messages into valid envelopes; invalid ones are counted, logged and skipped,
/// so a bad message never affects the ones around it.
struct EnvelopeReader: Sendable {
    let loop: SocketLoop
    let limits: BusLimits
    let counters: BusCounters
    let logger: Logger
    /// Keeps only envelopes this returns true for (SUB token matching); others count as unmatched.
    let accept: @Sendable (Envelope) -> Bool

    func next() async -> Envelope? {
        var iterator = loop.inbound.makeAsyncIterator()
        while let message = await iterator.next() {
            if let envelope = validate(message) { return envelope }
        }
        return nil
    }

    func nextBatch(max: Int) async -> [Envelope] {
        while true {
            let messages = await loop.inbound.nextBatch(max: max)
            if messages.isEmpty { return [] }
            let envelopes = messages.compactMap(validate)
            if !envelopes.isEmpty { return envelopes }
        }
    }

    private func validate(_ message: Multipart) -> Envelope? {
        do {
            let envelope = try Envelope(message, limits: limits)
            guard accept(envelope) else {
                counters.update { $0.unmatched += 1 }
                return nil
            }
            counters.update { $0.accepted += 1 }
            return envelope
        } catch {
            counters.update { $0.rejected[error.reason.rawValue, default: 0] += 1 }
            logger.warning(
                "rejected bus message",
                metadata: ["zmq.socket": "\(loop.configuration.name)", "error": "\(error)", "reason": "\(error.reason.rawValue)"])
            return nil
        }
    }
}
