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
        /// When the earliest running expiry timer fires; `nil` when none runs.
        var timerDue: ContinuousClock.Instant?
    }

    private struct Waiter {
        let token: Int
        let deadline: ContinuousClock.Instant
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
    ///
    /// Time-outs cost no task per request: one timer, armed for the earliest deadline, expires every request
    /// that is due when it fires — so thousands of requests can be outstanding cheaply.
    public func request(_ envelope: Envelope, timeout: Duration) async throws -> Ack {
        guard let msgID = envelope.msgID, !msgID.isEmpty else { throw AckError.missingMsgID }
        let deadline = ContinuousClock.now + timeout
        let token = state.withLock { state in
            state.nextToken += 1
            return state.nextToken
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Ack, any Error>) in
                let registered = state.withLock { state -> Result<ContinuousClock.Instant?, any Error> in
                    if state.closed { return .failure(AckError.closed) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[msgID, default: []].append(
                        Waiter(token: token, deadline: deadline, continuation: continuation))
                    return .success(Self.armTimer(&state, for: deadline))
                }
                switch registered {
                case .failure(let error):
                    continuation.resume(throwing: error)
                    return
                case .success(let timer):
                    if let timer { startTimer(due: timer) }
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

    /// Records a timer for `deadline` and returns it to start, unless one already fires no later.
    private static func armTimer(_ state: inout State, for deadline: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        if let due = state.timerDue, due <= deadline { return nil }
        state.timerDue = deadline
        return deadline
    }

    private func startTimer(due: ContinuousClock.Instant) {
        Task { [weak self] in
            try? await Task.sleep(until: due, clock: .continuous)
            self?.expireRequests(timer: due)
        }
    }

    /// Fails every request whose deadline passed with ``AckError/timedOut(msgID:)``, and arms the timer for
    /// the earliest deadline left.
    private func expireRequests(timer: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        let (expired, nextTimer) = state.withLock { state -> ([(String, Waiter)], ContinuousClock.Instant?) in
            if state.timerDue == timer { state.timerDue = nil }
            var expired: [(String, Waiter)] = []
            var earliest: ContinuousClock.Instant?
            for (msgID, waiters) in state.waiters {
                var kept = waiters
                kept.removeAll { waiter in
                    guard waiter.deadline <= now else { return false }
                    expired.append((msgID, waiter))
                    return true
                }
                if kept.count < waiters.count { state.waiters[msgID] = kept.isEmpty ? nil : kept }
                for waiter in kept where earliest.map({ waiter.deadline < $0 }) ?? true { earliest = waiter.deadline }
            }
            return (expired, earliest.flatMap { Self.armTimer(&state, for: $0) })
        }
        if let nextTimer { startTimer(due: nextTimer) }
        for (msgID, waiter) in expired { waiter.continuation.resume(throwing: AckError.timedOut(msgID: msgID)) }
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
