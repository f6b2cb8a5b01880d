import Logging
import Synchronization
import ZeroMQ

/// The DEALER side of acknowledged requests: sends envelopes with a `Nats-Msg-Id` and awaits their acks,
/// many outstanding at once; acks may arrive in any order and are matched by msg id.
public final class AckRequester: Sendable {
    private struct State: ~Copyable {
        var waiters: [String: [Waiter]] = [:]
        var nextToken = 0
        var closed = false
    }

    private struct Waiter {
        let token: Int
        let continuation: CheckedContinuation<Ack, any Error>
    }

    let loop: SocketLoop
    let logger: Logger
    private let state = Mutex(State())

    init(loop: SocketLoop, logger: Logger) {
        self.loop = loop
        self.logger = logger
    }

    public static func start(
        context: ZMQContext, name: String, endpoints: [Endpoint], options: SocketOptions = SocketOptions(),
        logger: Logger = BusDefaults.silentLogger
    ) async throws -> AckRequester {
        let loop = try await SocketLoop.start(
            context: context, configuration: .init(name: name, type: .dealer, options: options), endpoints: endpoints,
            logger: logger)
        let requester = AckRequester(loop: loop, logger: logger)
        Task { await requester.dispatchAcks() }
        return requester
    }

    /// Sends `envelope` and returns its ack; throws ``AckError/timedOut(msgID:)`` when none came in time —
    /// then send it again with the same msg id, which ingest deduplicates.
    public func request(_ envelope: Envelope, timeout: Duration) async throws -> Ack {
        guard let msgID = envelope.msgID, !msgID.isEmpty else { throw AckError.missingMsgID }
        return try await withThrowingTaskGroup(of: Ack?.self) { group in
            group.addTask { try await self.send(envelope, awaiting: msgID) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let ack = try await group.next()! else { throw AckError.timedOut(msgID: msgID) }
            return ack
        }
    }

    private func send(_ envelope: Envelope, awaiting msgID: String) async throws -> Ack {
        let token = state.withLock { state in
            state.nextToken += 1
            return state.nextToken
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Ack, any Error>) in
                let registered = state.withLock { state -> Bool in
                    if state.closed || Task.isCancelled { return false }
                    state.waiters[msgID, default: []].append(Waiter(token: token, continuation: continuation))
                    return true
                }
                guard registered else {
                    continuation.resume(throwing: state.withLock { $0.closed } ? AckError.closed : CancellationError())
                    return
                }
                if !loop.trySend(envelope.frames) {
                    // Full outbox: hand the frames over from a task that may wait for room.
                    Task {
                        do { try await loop.send(envelope.frames) } catch { self.fail(msgID: msgID, token: token, with: error) }
                    }
                }
            }
        } onCancel: {
            fail(msgID: msgID, token: token, with: CancellationError())
        }
    }

    private func fail(msgID: String, token: Int, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard var waiters = state.waiters[msgID], let index = waiters.firstIndex(where: { $0.token == token })
            else { return nil }
            let waiter = waiters.remove(at: index)
            state.waiters[msgID] = waiters.isEmpty ? nil : waiters
            return waiter
        }
        waiter?.continuation.resume(throwing: error)
    }

    private func dispatchAcks() async {
        for await message in loop.inbound {
            do {
                let ack = try Ack(frames: message.frames)
                let waiters = state.withLock { $0.waiters.removeValue(forKey: ack.msgID) } ?? []
                for waiter in waiters { waiter.continuation.resume(returning: ack) }
            } catch {
                logger.warning("ignored malformed ack", metadata: ["error": "\(error)"])
            }
        }
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters = [:] }
            return state.waiters.values.flatMap { $0 }
        }
        for waiter in waiters { waiter.continuation.resume(throwing: AckError.closed) }
    }

    /// Closes the socket; requests still waiting fail with ``AckError/closed``.
    public func close() async { await loop.close(drainTimeout: .milliseconds(100)) }
}
