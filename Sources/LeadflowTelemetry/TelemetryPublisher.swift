import Foundation
import LeadflowBus
import Logging
import Synchronization
import ZeroMQ

/// The process's one PUB socket for measurements, connected to the collector and owned by a thread of its own.
///
/// Producers on any thread call ``publish(_:)``, which only appends to a bounded queue under a lock and never
/// blocks: when the queue is full the measurement is dropped and counted, and the drops go out as
/// `<component>.telemetry_dropped` counters. The thread wakes every ``Configuration/flushInterval`` (sooner when
/// the queue fills up), encodes what was queued as `Leadflow_V1_Measurement`s and sends them without waiting, one
/// message per subject and flush: a length-delimited stream (``DelimitedStream``) on
/// `metrics.<component>.<operation>`. The socket's send high-water mark bounds what libzmq holds for a collector
/// that is slow or gone.
public final class TelemetryPublisher: Sendable {
    /// How the publisher connects and buffers.
    public struct Configuration: Sendable {
        /// The collector's SUB endpoint (connected).
        public var endpoint: String
        /// Measurements queued before ``publish(_:)`` drops.
        public var queueCapacity = 16_384
        /// Messages libzmq queues for the collector before PUB drops them.
        public var sendHighWaterMark: Int32 = 10_000
        /// How often the thread sends what was queued.
        public var flushInterval: Duration = .milliseconds(100)
        /// The queue length at which a producer wakes the thread before its next flush; nil: a quarter of the
        /// capacity. Waking is a system call, so it is rare by design.
        public var wakeThreshold: Int?
        /// CURVE client keys for the connection to a CURVE collector; `nil`: plaintext.
        public var curve: CurveSecurity?

        public init(endpoint: String, queueCapacity: Int = 16_384) {
            self.endpoint = endpoint
            self.queueCapacity = queueCapacity
        }
    }

    /// What the publisher did since it started.
    public struct Statistics: Sendable, Equatable {
        /// Measurements taken into the queue.
        public var accepted = 0
        /// Measurements refused: the queue was full, or the publisher was closing.
        public var dropped = 0
        /// Measurements handed to the socket (libzmq may still drop them at the high-water mark).
        public var sent = 0
        /// `telemetry_dropped` counters sent.
        public var dropReports = 0
        /// ZeroMQ messages sent: each carries one subject's measurements of one flush.
        public var messages = 0
        /// Measurements whose component or operation is not a subject token; logged once per pair.
        public var invalid = 0
        /// Measurements still queued when the drain time of ``close(drainTimeout:)`` ran out.
        public var abandonedOnClose = 0

        public init() {}
    }

    private struct State: ~Copyable {
        var queue: [MeasurementRecord] = []
        var dropped: [String: Int] = [:]
        var wakeRaised = false
        var closingDeadline: ContinuousClock.Instant?
        var finished = false
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
        var statistics = Statistics()
    }

    public let configuration: Configuration
    private let state = Mutex(State())
    private let wake: WakeSignal
    private let logger: Logger
    /// The queue length at which a producer wakes the thread before its next flush.
    private let wakeThreshold: Int

    private init(configuration: Configuration, logger: Logger) throws(ZMQError) {
        self.configuration = configuration
        self.logger = logger
        wake = try WakeSignal()
        wakeThreshold = max(1, configuration.wakeThreshold ?? configuration.queueCapacity / 4)
    }

    /// Starts the thread, which creates the PUB socket and connects it; returns once connected.
    public static func start(
        context: ZMQContext, configuration: Configuration, logger: Logger = BusDefaults.silentLogger
    ) async throws -> TelemetryPublisher {
        guard configuration.queueCapacity >= 1, !configuration.endpoint.isEmpty else {
            throw TelemetryError(problems: ["the publisher needs an endpoint and a queue capacity of at least 1"])
        }
        let publisher = try TelemetryPublisher(configuration: configuration, logger: logger)
        try await withCheckedThrowingContinuation { (started: CheckedContinuation<Void, any Error>) in
            let thread = Thread { publisher.run(context: context, started: started) }
            thread.name = "telemetry-pub"
            thread.start()
        }
        return publisher
    }

    /// Queues `record` for the collector without ever waiting; `false` (and counted) when it was dropped
    /// because the queue is full or the publisher is closing.
    @discardableResult
    public func publish(_ record: MeasurementRecord) -> Bool {
        let (accepted, raise) = state.withLock { state -> (Bool, Bool) in
            guard state.closingDeadline == nil, !state.finished, state.queue.count < configuration.queueCapacity else {
                state.statistics.dropped += 1
                state.dropped[record.component, default: 0] += 1
                return (false, false)
            }
            state.queue.append(record)
            state.statistics.accepted += 1
            guard !state.wakeRaised, state.queue.count >= wakeThreshold else { return (true, false) }
            state.wakeRaised = true
            return (true, true)
        }
        if raise { wake.raise() }
        return accepted
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Stops taking measurements, sends what is queued for at most `drainTimeout` (drop counts included),
    /// closes the socket and ends the thread. Safe to call more than once.
    public func close(drainTimeout: Duration = .milliseconds(500)) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.finished { return true }
                if state.closingDeadline == nil { state.closingDeadline = .now + drainTimeout }
                state.closeWaiters.append(waiter)
                return false
            }
            if done { waiter.resume() } else { wake.raise() }
        }
    }
}

extension TelemetryPublisher {
    /// The subject's two variable tokens, the key of the thread's subject cache.
    private struct SubjectKey: Hashable {
        var component: String
        var operation: String
    }

    /// One subject's batch in the making; kept from flush to flush with its storage.
    private struct Outgoing {
        /// `metrics.<component>.<operation>`, or nil when a token is not valid (its measurements are dropped).
        let subject: [UInt8]?
        var stream = DelimitedStream()
        /// Measurements in the stream that producers queued, and drop reports.
        var produced = 0
        var reports = 0
    }

    /// What one flush did, added to the statistics at its end.
    private struct FlushCounts {
        var sent = 0
        var reports = 0
        var invalid = 0
        var messages = 0
    }

    /// A batch is sent early once its stream reaches this size, far below the bus's 1 MiB payload limit.
    static let maximumStreamBytes = 64 * 1024

    /// The headers of every message: `Content-Type: application/x-protobuf-delimited`.
    private static let streamHeaders: Headers = {
        var headers = Headers()
        try! headers.append(Headers.Name.contentType, DelimitedStream.contentType)  // valid by construction
        return headers
    }()

    /// Sends one subject's batch and empties it; false once the context is terminated.
    private func send(_ batch: inout Outgoing, on socket: ZMQSocket, header: [UInt8], counts: inout FlushCounts) -> Bool {
        defer {
            batch.stream.removeAll()
            batch.produced = 0
            batch.reports = 0
        }
        guard let subject = batch.subject else { return true }
        do {
            _ = try socket.send([subject, header, batch.stream.bytes], dontWait: true)
            counts.sent += batch.produced
            counts.reports += batch.reports
            counts.messages += 1
        } catch {
            if error.isContextTerminated { return false }
            counts.invalid += batch.stream.count
        }
        return true
    }

    /// The thread's whole life: connect, then send what producers queued until closed.
    private func run(context: ZMQContext, started: CheckedContinuation<Void, any Error>) {
        let socket: ZMQSocket
        do {
            var options = SocketOptions()
            options.sendHighWaterMark = configuration.sendHighWaterMark
            options.lingerMilliseconds = 200
            options.curve = configuration.curve
            socket = try ZMQSocket(context: context, type: .pub, options: options)
            try socket.connect(configuration.endpoint)
        } catch {
            finish(socket: nil, abandoned: 0)
            started.resume(throwing: error)
            return
        }
        started.resume()

        var poller = ZMQPoller()
        poller.add(socket, events: [])
        let wakeIndex = poller.add(fileDescriptor: wake.fileDescriptor, events: .readable)
        let interval = max(1, Int(configuration.flushInterval.components.seconds) * 1000
            + Int(configuration.flushInterval.components.attoseconds / 1_000_000_000_000_000))
        // Every message is a batch: one subject's measurements of one flush as a length-delimited stream.
        let header = HeaderBlock.encode(Self.streamHeaders)
        var slots: [SubjectKey: Int] = [:]
        var outgoing: [Outgoing] = []
        var batch: [MeasurementRecord] = []
        var abandoned = 0
        var closing = false

        loop: while true {
            // Sleep first: measurements gather for a flush interval (or until the queue fills up), and a
            // producer never races the thread's start.
            if !closing {
                do {
                    try poller.poll(timeoutMilliseconds: interval)
                    if poller.ready(wakeIndex).contains(.readable) { wake.clear() }
                } catch {
                    if !error.isContextTerminated {
                        logger.error("telemetry publisher stopped", metadata: ["error": "\(error)"])
                    }
                    break
                }
            }
            var dropped: [String: Int] = [:]
            let deadline = state.withLock { state -> ContinuousClock.Instant? in
                swap(&batch, &state.queue)
                state.wakeRaised = false
                if !state.dropped.isEmpty { swap(&dropped, &state.dropped) }
                return state.closingDeadline
            }
            let produced = batch.count
            let now = WallClock.nanoseconds()
            for (component, count) in dropped.sorted(by: { $0.key < $1.key }) {
                var report = MeasurementRecord(
                    kind: .counter, component: component, operation: "telemetry_dropped", startNanoseconds: now)
                report.value = Double(count)
                batch.append(report)
            }
            var counts = FlushCounts()
            for offset in batch.indices {
                if let deadline, ContinuousClock.now >= deadline {
                    abandoned += batch.count - offset
                    break
                }
                let key = SubjectKey(component: batch[offset].component, operation: batch[offset].operation)
                let slot: Int
                if let cached = slots[key] {
                    slot = cached
                } else {
                    // Each must be one token: a dot would shift the collector's reading of the subject.
                    let oneToken = !key.component.contains(".") && !key.operation.contains(".")
                    let subject = oneToken ? try? Subject(tokens: ["metrics", key.component, key.operation]).bytes : nil
                    if subject == nil {
                        logger.warning(
                            "measurement with an invalid subject token dropped",
                            metadata: ["telemetry.subject": "\(batch[offset].subject)"])
                    }
                    slot = outgoing.count
                    outgoing.append(Outgoing(subject: subject))
                    slots[key] = slot
                }
                guard outgoing[slot].subject != nil, let payload: [UInt8] = try? batch[offset].batchedProto.serializedBytes()
                else {
                    counts.invalid += 1
                    continue
                }
                outgoing[slot].stream.append(encoded: payload)
                if offset < produced { outgoing[slot].produced += 1 } else { outgoing[slot].reports += 1 }
                if outgoing[slot].stream.bytes.count >= Self.maximumStreamBytes {
                    guard send(&outgoing[slot], on: socket, header: header, counts: &counts) else { break loop }
                }
            }
            for slot in outgoing.indices where !outgoing[slot].stream.isEmpty {
                guard send(&outgoing[slot], on: socket, header: header, counts: &counts) else { break loop }
            }
            let processed = batch.count
            batch.removeAll(keepingCapacity: true)
            state.withLock { state in
                state.statistics.sent += counts.sent
                state.statistics.dropReports += counts.reports
                state.statistics.invalid += counts.invalid
                state.statistics.messages += counts.messages
            }
            if let deadline {
                closing = true
                let empty = state.withLock { $0.queue.isEmpty && $0.dropped.isEmpty }
                if (empty && processed == 0) || ContinuousClock.now >= deadline { break }
            }
        }
        finish(socket: socket, abandoned: abandoned)
    }

    /// Closes the socket, counts what was left and releases everyone waiting for the close.
    private func finish(socket: ZMQSocket?, abandoned: Int) {
        socket?.close()
        let waiters = state.withLock { state in
            state.finished = true
            state.statistics.abandonedOnClose += abandoned + state.queue.count
            state.queue.removeAll()
            defer { state.closeWaiters = [] }
            return state.closeWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
