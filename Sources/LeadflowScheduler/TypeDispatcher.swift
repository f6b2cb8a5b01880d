import LeadflowBus
import Logging
import Synchronization

/// Hands one action type's dispatches to its PUSH socket from its own task, so a type whose handlers are
/// slow or absent fills only its own queue; the claim loop skips a type while ``isSaturated``.
final class TypeDispatcher: Sendable {
    let pusher: BusPusher
    let limit: Int
    let logger: Logger
    private let queued = Atomic<Int>(0)
    private let continuation: AsyncStream<[Envelope]>.Continuation
    private let stream: AsyncStream<[Envelope]>

    init(pusher: BusPusher, limit: Int, logger: Logger) {
        self.pusher = pusher
        self.limit = limit
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream()
    }

    var isSaturated: Bool { queued.load(ordering: .relaxed) >= limit }

    func enqueue(_ envelopes: [Envelope]) {
        guard !envelopes.isEmpty else { return }
        queued.add(envelopes.count, ordering: .relaxed)
        continuation.yield(envelopes)
    }

    /// Pushes queued batches until ``finish()``; returns when the queue is drained.
    func run() async {
        for await batch in stream {
            do {
                try await pusher.push(contentsOf: batch)
            } catch {
                // Closed under us: the actions stay dispatched and their leases bring them back.
                logger.warning("dispatches not pushed", metadata: ["count": "\(batch.count)", "error": "\(error)"])
            }
            queued.subtract(batch.count, ordering: .relaxed)
        }
    }

    func finish() { continuation.finish() }
}
