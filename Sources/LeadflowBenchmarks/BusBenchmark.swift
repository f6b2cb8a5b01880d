import LeadflowDomain
import CZeroMQ
import Foundation
import LeadflowBus
import LeadflowProto
import ZeroMQ

/// Measures bus throughput over tcp loopback: raw libzmq against the full envelope path, in one run.
///
/// Each scenario runs a sender thread and a receiver thread, PUSH → PULL over `tcp://127.0.0.1`, and times
/// from the first send to the last receive. Scenarios:
/// - `raw 1 frame`: `zmq_send`/`zmq_recv` of one frame holding the payload bytes;
/// - `raw 3 frames`: the same three frames an envelope travels as (subject, headers, payload), pre-encoded,
///   sent and received with plain libzmq calls and not parsed — "the same bytes";
/// - `envelope`: per message, build headers with a fresh `Nats-Msg-Id`, encode the protobuf, send three
///   frames; receive, validate subject, headers and size, decode the protobuf;
/// - `envelope async`: the same through ``BusPusher``/``BusPuller`` (socket-owning threads, async API,
///   batches of 256 handed over at a time);
/// - `encode only` / `decode only`: the envelope work of one side on one thread without sockets — where the
///   CPU time of the envelope path goes.
public struct BusBenchmark: Sendable {
    public struct Result: Sendable {
        public let scenario: String
        public let payloadBytes: Int
        public let messages: Int
        /// From the median round.
        public let messagesPerSecond: Double
        /// Each round's time, in round order (the rounds of every scenario interleave, so round `i` of two
        /// scenarios ran under the same conditions — compare them pairwise).
        public let rounds: [Duration]
        /// The process's CPU time (user + system, every thread: sender, receiver, libzmq's I/O thread) per
        /// message, median over the rounds — steadier than throughput when the machine is shared.
        public let cpuPerMessage: Duration

        /// The throughput of this scenario relative to `base`, round by round, median of the pairs.
        public func pairedRatio(to base: Result) -> Double {
            // Throughput is inverse to time: this round's throughput over the base's is the base's time over this one's.
            let ratios = zip(rounds, base.rounds).map { this, base in base.seconds / this.seconds }.sorted()
            return ratios.isEmpty ? 0 : ratios[ratios.count / 2]
        }
    }

    public var messages: Int
    public var payloadSizes: [Int]
    public var runs: Int
    /// Scenario names to run; empty runs all.
    public var only: Set<String>

    public static let scenarios = ["raw 1 frame", "raw 3 frames", "envelope", "envelope async", "encode only", "decode only"]

    public init(messages: Int = 500_000, payloadSizes: [Int] = [100, 1024], runs: Int = 5, only: Set<String> = []) {
        self.messages = messages
        self.payloadSizes = payloadSizes
        self.runs = runs
        self.only = only
    }

    /// Runs every scenario for every payload size, calling `report` with each scenario's median of `runs`.
    ///
    /// Scenarios are interleaved round by round (raw, envelope, …, then again), so that drift in the
    /// machine's speed during the run hits every scenario alike instead of skewing their ratio.
    public func run(report: (Result) -> Void) async throws {
        for size in payloadSizes {
            let upsert = Self.upsert(payloadBytes: size)
            let sample = try Self.envelope(upsert, index: 0)
            let scenarios: [(String, () async throws -> Duration)] = [
                ("raw 1 frame", { try Self.raw(frames: [sample.payload], count: messages) }),
                ("raw 3 frames", { try Self.raw(frames: sample.frames, count: messages) }),
                ("envelope", { try Self.envelopePath(upsert, count: messages) }),
                ("envelope async", { try await Self.asyncPath(upsert, count: messages) }),
                ("encode only", { try Self.encodeOnly(upsert, count: messages) }),
                ("decode only", { try Self.decodeOnly(upsert, count: messages) }),
            ].filter { only.isEmpty || only.contains($0.0) }
            var durations = [[Duration]](repeating: [], count: scenarios.count)
            var cpu = [[Duration]](repeating: [], count: scenarios.count)
            for _ in 0..<runs {
                for (index, scenario) in scenarios.enumerated() {
                    let before = ProcessCPUTime.now()
                    durations[index].append(try await scenario.1())
                    cpu[index].append(ProcessCPUTime.now() - before)
                }
            }
            for (index, scenario) in scenarios.enumerated() {
                let median = durations[index].sorted()[runs / 2]
                report(
                    Result(
                        scenario: scenario.0, payloadBytes: size, messages: messages,
                        messagesPerSecond: Double(messages) / median.seconds, rounds: durations[index],
                        cpuPerMessage: cpu[index].sorted()[runs / 2] / messages))
            }
        }
    }

    /// A lead upsert whose protobuf encoding is exactly `payloadBytes` long.
    static func upsert(payloadBytes: Int) -> Leadflow_V1_LeadUpsert {
        var upsert = Leadflow_V1_LeadUpsert()
        upsert.externalID = "crm-0000042"
        upsert.email = "ada@example.com"
        upsert.firstName = ""
        var padding = max(0, payloadBytes - ((try? upsert.serializedBytes() as [UInt8])?.count ?? 0))
        while true {
            upsert.firstName = String(repeating: "x", count: padding)
            let size = (try? upsert.serializedBytes() as [UInt8])?.count ?? 0
            if size == payloadBytes || padding == 0 { return upsert }
            padding -= size - payloadBytes
        }
    }

    static let subject = try! Subject("lead.upsert.acme")

    static func envelope(_ upsert: Leadflow_V1_LeadUpsert, index: Int) throws -> Envelope {
        var headers = Headers()
        try headers.append(Headers.Name.msgID, "bench-\(index)")
        return try Envelope(subject: subject, message: upsert, headers: headers)
    }

    // MARK: Scenarios

    /// Plain libzmq: pre-encoded frames out, frames in, nothing parsed.
    static func raw(frames: [[UInt8]], count: Int) throws -> Duration {
        let context = zmq_ctx_new()!
        defer { zmq_ctx_term(context) }
        let pull = zmq_socket(context, ZMQ_PULL)!
        var linger: Int32 = 0
        zmq_setsockopt(pull, ZMQ_LINGER, &linger, 4)
        zmq_bind(pull, "tcp://127.0.0.1:*")
        var endpoint = [CChar](repeating: 0, count: 256)
        var length = endpoint.count
        zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, &endpoint, &length)
        let address = String(decoding: endpoint.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let pushHandle = zmq_socket(context, ZMQ_PUSH)!
        let push = SendableHandle(pushHandle)
        zmq_setsockopt(pushHandle, ZMQ_LINGER, &linger, 4)
        zmq_connect(pushHandle, address)
        defer {
            zmq_close(pull)
            zmq_close(pushHandle)
        }
        let warmup = 1_000
        let received = DispatchSemaphore(value: 0)
        let sender = Thread {
            for _ in 0..<(warmup + count) {
                for (index, frame) in frames.enumerated() {
                    let flags = index == frames.count - 1 ? 0 : ZMQ_SNDMORE
                    _ = frame.withUnsafeBytes { zmq_send(push.handle, $0.baseAddress, $0.count, flags) }
                }
            }
            received.wait()
        }
        sender.name = "bench-sender"
        sender.start()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var start = ContinuousClock.now
        for message in 0..<(warmup + count) {
            if message == warmup { start = .now }
            for _ in 0..<frames.count { _ = zmq_recv(pull, &buffer, buffer.count, 0) }
        }
        let elapsed = ContinuousClock.now - start
        received.signal()
        return elapsed
    }

    /// The full envelope path on blocking sockets, one thread each side.
    static func envelopePath(_ upsert: Leadflow_V1_LeadUpsert, count: Int) throws -> Duration {
        let context = try ZMQContext()
        let pull = try ZMQSocket(context: context, type: .pull)
        try pull.bind("tcp://127.0.0.1:*")
        let address = try pull.lastEndpoint
        let warmup = 1_000
        // The sender keeps its socket open until the receiver has everything, so no message ever depends on
        // the close linger.
        let received = DispatchSemaphore(value: 0)
        let sender = Thread {
            do {
                let push = try ZMQSocket(context: context, type: .push)
                try push.connect(address)
                for index in 0..<(warmup + count) { try push.send(try envelope(upsert, index: index)) }
                received.wait()
                push.close()
            } catch {
                fatalError("benchmark sender failed: \(error)")
            }
        }
        sender.name = "bench-sender"
        sender.start()
        var frames: [[UInt8]] = []
        var start = ContinuousClock.now
        var checksum = 0
        for message in 0..<(warmup + count) {
            if message == warmup { start = .now }
            let parts = try pull.receive(into: &frames, maxFrames: 8)
            let envelope = try Envelope(frames: frames, partCount: parts)
            checksum &+= try envelope.decode(Leadflow_V1_LeadUpsert.self).externalID.utf8.count
        }
        let elapsed = ContinuousClock.now - start
        received.signal()
        precondition(checksum == (warmup + count) * upsert.externalID.utf8.count, "decoded messages differ")
        return elapsed
    }

    /// The sender's envelope work alone: headers, protobuf, frames.
    static func encodeOnly(_ upsert: Leadflow_V1_LeadUpsert, count: Int) throws -> Duration {
        var bytes = 0
        let start = ContinuousClock.now
        for index in 0..<count { bytes &+= try envelope(upsert, index: index).frames[1].count }
        let elapsed = ContinuousClock.now - start
        precondition(bytes > 0)
        return elapsed
    }

    /// The receiver's envelope work alone: validate subject, headers and size, decode the protobuf.
    static func decodeOnly(_ upsert: Leadflow_V1_LeadUpsert, count: Int) throws -> Duration {
        let frames = try envelope(upsert, index: 12_345).frames
        var checksum = 0
        let start = ContinuousClock.now
        for _ in 0..<count {
            let envelope = try Envelope(frames: frames, partCount: 3)
            checksum &+= try envelope.decode(Leadflow_V1_LeadUpsert.self).externalID.utf8.count
        }
        let elapsed = ContinuousClock.now - start
        precondition(checksum == count * upsert.externalID.utf8.count)
        return elapsed
    }

    /// The full envelope path through the async endpoints services use.
    static func asyncPath(_ upsert: Leadflow_V1_LeadUpsert, count: Int) async throws -> Duration {
        let context = try ZMQContext()
        let puller = try await BusPuller.start(context: context, name: "bench-pull", endpoints: [.bind("tcp://127.0.0.1:*")])
        let address = try await puller.boundEndpoint()
        let pusher = try await BusPusher.start(context: context, name: "bench-push", endpoints: [.connect(address)])
        let warmup = 1_000
        // Envelopes are encoded and handed over in batches, as a scheduler dispatches a claimed batch.
        let sending = Task {
            var index = 0
            while index < warmup + count {
                let end = min(index + 256, warmup + count)
                try await pusher.push(contentsOf: try (index..<end).map { try envelope(upsert, index: $0) })
                index = end
            }
        }
        var received = 0
        var start = ContinuousClock.now
        while received < warmup + count {
            let batch = await puller.nextBatch(max: 512)
            for envelope in batch {
                if received == warmup { start = .now }
                _ = try envelope.decode(Leadflow_V1_LeadUpsert.self)
                received += 1
            }
        }
        let elapsed = ContinuousClock.now - start
        try await sending.value
        await pusher.close()
        await puller.close()
        return elapsed
    }
}

/// A raw libzmq socket handed to the one thread that uses it.
private struct SendableHandle: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    init(_ handle: UnsafeMutableRawPointer) { self.handle = handle }
}
