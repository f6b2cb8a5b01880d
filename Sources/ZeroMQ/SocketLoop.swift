import DequeModule
import Foundation
import Logging
import Synchronization

/// A ZeroMQ socket owned by a dedicated thread, for use from async code.
///
/// The socket is created, configured, used and closed on its own thread, which blocks in `zmq_poll` on the
/// socket and a ``WakeSignal`` — never on Swift's cooperative pool. Other threads hand it outbound messages
/// through a bounded outbox and read inbound messages from ``inbound``. ``close(drainTimeout:)`` stops
/// reading, flushes the outbox for at most the drain time, and closes the socket.
public final class SocketLoop: Sendable {
    /// How a loop's socket is made and bounded.
    public struct Configuration: Sendable {
        /// Names the thread and appears in logs.
        public var name: String
        public var type: SocketType
        public var options: SocketOptions
        /// Outbound messages queued before ``send(_:)`` suspends and ``trySend(_:)`` refuses.
        public var outboxCapacity: Int = 10_000
        /// Inbound messages buffered before the thread stops reading the socket.
        public var inboxCapacity: Int = 10_000
        /// When closing, how many more inbound messages the thread reads, beyond the inbox's capacity, from what
        /// libzmq already holds (closing would discard those): a consumer that hands back what it did not
        /// process — a handler's unstarted dispatches — then gets them. 0: none.
        public var finalReadLimit = 0
        /// Parts kept per inbound message (see ``Multipart``).
        public var maxFrames: Int = 8
        /// Whether inbound messages carry their connection's ZAP `User-Id` (``Multipart/userID``).
        public var readsUserID = false
        /// Whether failed handshakes (a plaintext peer on a CURVE socket, a refused key) are counted in
        /// ``Statistics/handshakeFailures`` and logged.
        public var monitorsHandshakes = false

        /// A CURVE server socket reads its peers' `User-Id` and monitors its handshakes from the start: who
        /// sent a message and who was refused are what CURVE is for.
        public init(name: String, type: SocketType, options: SocketOptions = SocketOptions()) {
            self.name = name
            self.type = type
            self.options = options
            if case .server = options.curve {
                readsUserID = type.canReceive
                monitorsHandshakes = true
            }
        }
    }

    /// Counters a component reports as metrics.
    public struct Statistics: Sendable, Equatable {
        public var sent = 0
        public var received = 0
        /// Outbound messages dropped: libzmq refused them (a ROUTER reply to a peer that left), or, on a
        /// ROUTER, their peer's queue was full (it stopped reading).
        public var sendFailures = 0
        /// Outbound messages still queued when the drain time ran out.
        public var abandonedOnClose = 0
        /// Peers whose handshake failed (with ``Configuration/monitorsHandshakes``).
        public var handshakeFailures = 0
    }

    private struct State: ~Copyable {
        var outbox = Deque<[[UInt8]]>()
        var commands: [@Sendable (ZMQSocket) -> Void] = []
        /// Senders waiting for room in a full outbox, by the number each took from ``nextSpaceWaiter``.
        var spaceWaiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var nextSpaceWaiter = 0
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
        var wakeRequested = false
        var closingDeadline: ContinuousClock.Instant?
        var finished = false
        var statistics = Statistics()
    }

    public let configuration: Configuration
    private let state = Mutex(State())
    private let wake: WakeSignal
    private let inbox: SocketInbox
    private let logger: Logger

    /// Inbound messages, in arrival order, for exactly one consuming task.
    public var inbound: Inbound { Inbound(inbox: inbox) }

    private init(configuration: Configuration, logger: Logger) throws(ZMQError) {
        self.configuration = configuration
        self.logger = logger
        wake = try WakeSignal()
        inbox = SocketInbox(capacity: configuration.inboxCapacity, wake: wake)
    }

    /// Starts the thread, creates the socket on it, and runs `setup` there (bind, connect, subscribe).
    /// Returns once `setup` succeeded; rethrows what it threw.
    public static func start(
        context: ZMQContext,
        configuration: Configuration,
        logger: Logger = Logger(label: "leadflow.zmq", factory: { _ in SwiftLogNoOpLogHandler() }),
        setup: @escaping @Sendable (ZMQSocket) throws -> Void
    ) async throws -> SocketLoop {
        let loop = try SocketLoop(configuration: configuration, logger: logger)
        try await withCheckedThrowingContinuation { (started: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                loop.run(context: context, setup: setup, started: started)
            }
            thread.name = "zmq-\(configuration.name)"
            thread.start()
        }
        return loop
    }

    // MARK: Sending

    /// Queues a message without waiting; `false` when the outbox is full or the loop is closing, so that
    /// a caller that may drop (metrics) can count the drop.
    public func trySend(_ frames: [[UInt8]]) -> Bool {
        precondition(configuration.type.canSend, "\(configuration.type) sockets cannot send")
        let (accepted, raise) = state.withLock { state -> (Bool, Bool) in
            guard state.closingDeadline == nil, !state.finished,
                state.outbox.count < configuration.outboxCapacity
            else { return (false, false) }
            state.outbox.append(frames)
            return (true, requestWake(&state))
        }
        if raise { wake.raise() }
        return accepted
    }

    /// Queues a message, waiting while the outbox is full; throws `CancellationError` when the task is
    /// cancelled while it waits.
    public func send(_ frames: [[UInt8]]) async throws {
        try await send(contentsOf: CollectionOfOne(frames))
    }

    /// Queues several messages in order, taking the outbox lock once per run of messages that fit and
    /// waiting while it is full — the way to hand over a batch (a scheduler's dispatches) cheaply. Throws
    /// `CancellationError` when the task is cancelled while it waits for room; the messages queued before stay
    /// queued.
    public func send<Messages: Collection<[[UInt8]]>>(contentsOf messages: Messages) async throws {
        guard configuration.type.canSend else {
            throw SocketLoopError.cannotSend(name: configuration.name, type: configuration.type)
        }
        var next = messages.startIndex
        while next < messages.endIndex {
            let remaining = messages[next...]
            let outcome = state.withLock { state -> EnqueueOutcome in
                if state.closingDeadline != nil || state.finished { return .closed }
                let room = configuration.outboxCapacity - state.outbox.count
                guard room > 0 else { return .full }
                let batch = remaining.prefix(room)
                state.outbox.append(contentsOf: batch)
                return .queued(count: batch.count, raise: requestWake(&state))
            }
            switch outcome {
            case .queued(let count, let raise):
                next = messages.index(next, offsetBy: count)
                if raise { wake.raise() }
            case .closed:
                throw SocketLoopError.closed(name: configuration.name)
            case .full:
                try await waitForRoom()
            }
        }
    }

    private enum EnqueueOutcome {
        case queued(count: Int, raise: Bool)
        case full
        case closed
    }

    /// Suspends until the owner thread has taken messages out of a full outbox (or the loop is closing); throws
    /// `CancellationError` when the task is cancelled first, so that a sender behind peers that stopped reading
    /// (or with none connected) can be let go.
    private func waitForRoom() async throws {
        let id = state.withLock { state in
            state.nextSpaceWaiter += 1
            return state.nextSpaceWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Result<Void, any Error>? in
                    if state.outbox.count < configuration.outboxCapacity || state.finished || state.closingDeadline != nil {
                        return .success(())
                    }
                    // Checked under the lock the handler takes: a cancellation before this point is seen here,
                    // one after it finds the waiter registered.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.spaceWaiters[id] = waiter
                    return nil
                }
                if let resumeNow { waiter.resume(with: resumeNow) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.spaceWaiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Senders waiting for room in a full outbox now.
    var sendersWaitingForRoom: Int { state.withLock { $0.spaceWaiters.count } }

    /// Runs `body` on the owner thread with the socket (e.g. to subscribe or read an option) and returns its
    /// result.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (ZMQSocket) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let command: @Sendable (ZMQSocket) -> Void = { socket in
                continuation.resume(with: Result { try body(socket) })
            }
            let (accepted, raise) = state.withLock { state -> (Bool, Bool) in
                guard !state.finished else { return (false, false) }
                state.commands.append(command)
                return (true, requestWake(&state))
            }
            if raise { wake.raise() }
            if !accepted { continuation.resume(throwing: SocketLoopError.closed(name: configuration.name)) }
        }
    }

    /// Stops reading, flushes queued messages for at most `drainTimeout`, closes the socket and ends the
    /// thread. Returns when all of that is done; safe to call more than once.
    public func close(drainTimeout: Duration = .seconds(1)) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let (done, raise) = state.withLock { state -> (Bool, Bool) in
                if state.finished { return (true, false) }
                if state.closingDeadline == nil { state.closingDeadline = .now + drainTimeout }
                state.closeWaiters.append(waiter)
                return (false, requestWake(&state))
            }
            if raise { wake.raise() }
            if done { waiter.resume() }
        }
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    private func requestWake(_ state: inout State) -> Bool {
        if state.wakeRequested { return false }
        state.wakeRequested = true
        return true
    }
}

extension SocketLoop {
    /// The inbound messages of a ``SocketLoop``.
    public struct Inbound: AsyncSequence, Sendable {
        let inbox: SocketInbox

        public func makeAsyncIterator() -> Iterator { Iterator(inbox: inbox) }

        /// Waits for at least one message and returns everything already buffered, up to `max`; empty once
        /// the loop closed.
        public func nextBatch(max: Int) async -> [Multipart] { await inbox.nextBatch(max: max) }

        public struct Iterator: AsyncIteratorProtocol {
            let inbox: SocketInbox
            public mutating func next() async -> Multipart? { await inbox.next() }
        }
    }
}

extension SocketLoop {
    /// The owner thread's whole life: create the socket, then move messages until closed or terminated.
    private func run(
        context: ZMQContext, setup: @Sendable (ZMQSocket) throws -> Void,
        started: CheckedContinuation<Void, any Error>
    ) {
        let socket: ZMQSocket
        var monitor: HandshakeMonitor?
        do {
            socket = try ZMQSocket(context: context, type: configuration.type, options: configuration.options)
            if configuration.monitorsHandshakes { monitor = try HandshakeMonitor(watching: socket, context: context) }
            try setup(socket)
        } catch {
            monitor?.close()
            finish(socket: nil, pending: [])
            started.resume(throwing: error)
            return
        }
        started.resume()

        let batchLimit = 512
        let canReceive = configuration.type.canReceive
        var poller = ZMQPoller()
        let socketIndex = poller.add(socket, events: [])
        let wakeIndex = poller.add(fileDescriptor: wake.fileDescriptor, events: .readable)
        let monitorIndex = monitor?.register(in: &poller)
        let property = configuration.readsUserID ? "User-Id" : nil
        var pending = Deque<[[UInt8]]>()
        var frames: [[UInt8]] = []
        var finalReadDone = false

        while true {
            // Take commands and outbound messages; learn whether we are closing.
            var commands: [@Sendable (ZMQSocket) -> Void] = []
            var spaceWaiters: [Int: CheckedContinuation<Void, any Error>] = [:]
            let (deadline, outboxBacklog) = state.withLock { state -> (ContinuousClock.Instant?, Bool) in
                state.wakeRequested = false
                swap(&commands, &state.commands)
                if pending.isEmpty {
                    let count = min(batchLimit, state.outbox.count)
                    pending.append(contentsOf: state.outbox.prefix(count))
                    state.outbox.removeFirst(count)
                    if !state.spaceWaiters.isEmpty && state.outbox.count < configuration.outboxCapacity {
                        swap(&spaceWaiters, &state.spaceWaiters)
                    }
                }
                return (state.closingDeadline, !state.outbox.isEmpty)
            }
            for waiter in spaceWaiters.values { waiter.resume() }
            for command in commands { command(socket) }

            do {
                var sent = 0, failures = 0
                while let message = pending.first {
                    do {
                        if try socket.send(message, dontWait: true) {
                            sent += 1
                        } else if configuration.type == .router {
                            // A ROUTER message goes to one peer; when that peer stopped reading, waiting would
                            // hold up every other peer's messages behind it. Drop it: senders of acknowledged
                            // requests retry, and deduplication answers them.
                            failures += 1
                            logger.warning(
                                "peer not reading; message dropped", metadata: ["zmq.socket": "\(configuration.name)"])
                        } else {
                            break
                        }
                    } catch let error where !error.isContextTerminated {
                        failures += 1
                        logger.warning(
                            "send failed; message dropped",
                            metadata: ["zmq.socket": "\(configuration.name)", "error": "\(error)"])
                    }
                    pending.removeFirst()
                }

                var received = 0, budget = batchLimit
                var inboxFull = false
                if canReceive && deadline == nil {
                    while budget > 0 {
                        guard inbox.reserveRoom() else {
                            inboxFull = true
                            break
                        }
                        guard
                            let (parts, userID) = try socket.receive(
                                into: &frames, maxFrames: configuration.maxFrames, dontWait: true, property: property)
                        else { break }
                        received += 1
                        budget -= 1
                        _ = inbox.push(Multipart(frames: frames, partCount: parts, userID: userID))
                    }
                }
                if sent + received + failures > 0 {
                    state.withLock { state in
                        state.statistics.sent += sent
                        state.statistics.received += received
                        state.statistics.sendFailures += failures
                    }
                }

                if deadline != nil && canReceive && !finalReadDone {
                    finalReadDone = true
                    // Until 50 ms pass without a message: libzmq's I/O thread refills the queue from the
                    // connection as it is read, so one empty read does not mean nothing more is here.
                    var taken = 0
                    var listen = ZMQPoller()
                    let index = listen.add(socket, events: .readable)
                    while taken < configuration.finalReadLimit {
                        if let (parts, userID) = try socket.receive(
                            into: &frames, maxFrames: configuration.maxFrames, dontWait: true, property: property)
                        {
                            taken += 1
                            _ = inbox.push(Multipart(frames: frames, partCount: parts, userID: userID))
                            continue
                        }
                        _ = try listen.poll(timeoutMilliseconds: 50)
                        if !listen.ready(index).contains(.readable) { break }
                    }
                    if taken > 0 { state.withLock { $0.statistics.received += taken } }
                }
                if let deadline {
                    let outboxEmpty = state.withLock { $0.outbox.isEmpty }
                    if (pending.isEmpty && outboxEmpty) || ContinuousClock.now >= deadline { break }
                }

                var events: ZMQPoller.Events = []
                if canReceive && deadline == nil && !inboxFull { events.insert(.readable) }
                if !pending.isEmpty { events.insert(.writable) }
                poller.setEvents(events, at: socketIndex)
                let moreWork = (pending.isEmpty && outboxBacklog) || budget == 0
                let timeout: Int
                if moreWork {
                    timeout = 0
                } else if let deadline {
                    let remaining = ContinuousClock.now.duration(to: deadline).components
                    timeout = max(0, Int(remaining.seconds) * 1000 + Int(remaining.attoseconds / 1_000_000_000_000_000)) + 1
                } else {
                    timeout = -1
                }
                try poller.poll(timeoutMilliseconds: timeout)
                if let monitor, let monitorIndex, poller.ready(monitorIndex).contains(.readable) {
                    record(try monitor.drain())
                }
                if poller.ready(wakeIndex).contains(.readable) { wake.clear() }
            } catch {
                if !error.isContextTerminated {
                    logger.error("socket loop stopped", metadata: ["zmq.socket": "\(configuration.name)", "error": "\(error)"])
                }
                break
            }
        }
        monitor?.close()
        finish(socket: socket, pending: pending)
    }

    /// Counts and logs failed handshakes; nothing else about the socket changes.
    private func record(_ failures: [HandshakeMonitor.Failure]) {
        guard !failures.isEmpty else { return }
        state.withLock { $0.statistics.handshakeFailures += failures.count }
        for failure in failures {
            logger.warning(
                "peer handshake failed; connection refused",
                metadata: [
                    "zmq.socket": "\(configuration.name)", "zmq.endpoint": "\(failure.endpoint)",
                    "handshake.failure": "\(failure.kind.rawValue)",
                ])
        }
    }

    /// Closes the socket, ends the inbound sequence and releases everyone waiting on the loop.
    private func finish(socket: ZMQSocket?, pending: Deque<[[UInt8]]>) {
        socket?.close()
        inbox.finish()
        let (spaceWaiters, closeWaiters, commands, abandoned) = state.withLock { state in
            state.finished = true
            let abandoned = pending.count + state.outbox.count
            state.statistics.abandonedOnClose += abandoned
            state.outbox.removeAll()
            defer {
                state.spaceWaiters = [:]
                state.closeWaiters = []
                state.commands = []
            }
            return (state.spaceWaiters, state.closeWaiters, state.commands, abandoned)
        }
        if abandoned > 0 {
            logger.warning(
                "closed with unsent messages", metadata: ["zmq.socket": "\(configuration.name)", "count": "\(abandoned)"])
        }
        for waiter in spaceWaiters.values { waiter.resume(throwing: SocketLoopError.closed(name: configuration.name)) }
        // Commands that never ran see the closed socket and fail with a clear error. (Without a socket
        // there are none: commands can only be queued once start succeeded.)
        if let socket {
            for command in commands { command(socket) }
        }
        for waiter in closeWaiters { waiter.resume() }
    }
}
