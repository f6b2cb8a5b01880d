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
/// the queue fills up), turns what was queued into `Leadflow_V1_Measurement` envelopes and sends them without
/// waiting; the socket's send high-water mark bounds what libzmq holds for a collector that is slow or gone.
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
        public var flushInterval: Duration = .milliseconds(20)
        /// The queue length at which a producer wakes the thread before its next flush; nil: a quarter of the
        /// capacity. Waking is a system call, so it is rare by design.
        public var wakeThreshold: Int?

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

    /// The thread's whole life: connect, then send what producers queued until closed.
    private func run(context: ZMQContext, started: CheckedContinuation<Void, any Error>) {
        let socket: ZMQSocket
        do {
            var options = SocketOptions()
            options.sendHighWaterMark = configuration.sendHighWaterMark
            options.lingerMilliseconds = 200
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
        let header = HeaderBlock.encode(Headers())
        var subjects: [SubjectKey: [UInt8]?] = [:]
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
            var sent = 0, reports = 0, invalid = 0
            for (offset, record) in batch.enumerated() {
                if let deadline, ContinuousClock.now >= deadline {
                    abandoned += batch.count - offset
                    break
                }
                let key = SubjectKey(component: record.component, operation: record.operation)
                let subject: [UInt8]?
                if let cached = subjects[key] {
                    subject = cached
                } else {
                    // Each must be one token: a dot would shift the collector's reading of the subject.
                    let oneToken = !record.component.contains(".") && !record.operation.contains(".")
                    subject = oneToken ? try? Subject(tokens: ["metrics", record.component, record.operation]).bytes : nil
                    subjects[key] = .some(subject)
                    if subject == nil {
                        logger.warning(
                            "measurement with an invalid subject token dropped",
                            metadata: ["telemetry.subject": "\(record.subject)"])
                    }
                }
                guard let subject, let payload: [UInt8] = try? record.proto.serializedBytes() else {
                    invalid += 1
                    continue
                }
                do {
                    _ = try socket.send([subject, header, payload], dontWait: true)
                    if offset < produced { sent += 1 } else { reports += 1 }
                } catch {
                    if error.isContextTerminated { break loop }
                    invalid += 1
                }
            }
            let processed = batch.count
            batch.removeAll(keepingCapacity: true)
            state.withLock { state in
                state.statistics.sent += sent
                state.statistics.dropReports += reports
                state.statistics.invalid += invalid
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
