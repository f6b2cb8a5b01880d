import LeadflowBus
import Synchronization
import ZeroMQ

/// An ingest stand-in on the real ``AckResponder``: records every message it receives and answers each as the
/// test says — `+OK`, `-ERR`, or not at all (a lost ack).
final class TestIngest: Sendable {
    enum Answer: Sendable {
        case ok
        case error(String)
        case drop
    }

    /// One received message, and how many times its msg id had been received before.
    struct Arrival: Sendable {
        let envelope: Envelope
        let msgID: String
        let seenBefore: Int
    }

    let responder: AckResponder
    let endpoint: String
    /// Every arrival as it happens, for tests to wait on (one consumer).
    let arrivals: AsyncStream<Arrival>
    private let log = Mutex<[Arrival]>([])
    private let serving = Mutex<Task<Void, Never>?>(nil)

    private init(responder: AckResponder, endpoint: String, arrivals: AsyncStream<Arrival>) {
        self.responder = responder
        self.endpoint = endpoint
        self.arrivals = arrivals
    }

    static func start(
        context: ZMQContext, bind address: String, answer: @escaping @Sendable (Arrival) -> Answer = { _ in .ok }
    ) async throws -> TestIngest {
        let responder = try await AckResponder.start(context: context, name: "test-ingest", endpoints: [.bind(address)])
        let (arrivals, arrived) = AsyncStream<Arrival>.makeStream()
        let ingest = TestIngest(responder: responder, endpoint: try await responder.boundEndpoint(), arrivals: arrivals)
        let task = Task {
            while true {
                let batch = await responder.nextBatch(max: 256)
                if batch.isEmpty { break }
                for request in batch {
                    guard case .success(let envelope) = request.envelope, let msgID = envelope.msgID else {
                        try? await responder.reply(.error(msgID: request.msgID ?? "", reason: "Malformed Message"), to: request.peer)
                        continue
                    }
                    let arrival = ingest.log.withLock { log in
                        let arrival = Arrival(
                            envelope: envelope, msgID: msgID, seenBefore: log.count { $0.msgID == msgID })
                        log.append(arrival)
                        return arrival
                    }
                    arrived.yield(arrival)
                    switch answer(arrival) {
                    case .ok: try? await responder.reply(.ok(msgID: msgID), to: request.peer)
                    case .error(let reason): try? await responder.reply(.error(msgID: msgID, reason: reason), to: request.peer)
                    case .drop: break
                    }
                }
            }
            arrived.finish()
        }
        ingest.serving.withLock { $0 = task }
        return ingest
    }

    /// The msg ids received so far, in order, repeats included.
    var msgIDs: [String] { log.withLock { $0.map(\.msgID) } }

    var received: [Arrival] { log.withLock { $0 } }

    /// Waits until `count` more messages arrived (counting from the last wait) and returns them.
    func next(_ count: Int) async -> [Arrival] {
        var taken: [Arrival] = []
        for await arrival in arrivals {
            taken.append(arrival)
            if taken.count == count { break }
        }
        return taken
    }

    func close() async {
        await responder.close(drainTimeout: .zero)
        await serving.withLock { $0 }?.value
    }
}
