import Foundation
import LeadflowBus
import LeadflowProto
import SwiftProtobuf
import ZeroMQ

/// Emails per second through one `leadflow handler email` process, to a real SMTP server on loopback that
/// takes `latency` per message, for several numbers of SMTP connections (`handler.email.max_connections`),
/// beside the ideal (connections ÷ latency); and the handler's peak resident memory.
///
/// The benchmark plays the scheduler: it binds the dispatch PUSH, the result PULL and the receipt PUB sockets the
/// handler connects to, pushes dispatches as fast as the handler takes them (its read-ahead bounds that), and
/// acknowledges results as the scheduler would. Each configuration gets a fresh handler process and server; a
/// warm-up of a message per connection comes first, so connections are open when the clock starts.
public struct DeliveryBenchmark: Sendable {
    public struct Options: Sendable {
        /// The handler's `max_connections` of each configuration, in the order run.
        public var connections: [Int] = [1, 8, 32, 64]
        /// How long the server takes over each message.
        public var latency: Duration = .milliseconds(100)
        /// About how long each configuration's measured part takes at the ideal rate (it sets the message count).
        public var seconds: Double = 8
        /// The handler's `max_in_flight`.
        public var maxInFlight = 256
        /// Rounds over the configurations; each round runs them all, one after another.
        public var rounds = 1
        /// The `leadflow` executable that runs the handler.
        public var executable: String

        public init(executable: String) { self.executable = executable }
    }

    /// One configuration's figures.
    public struct Row: Sendable {
        public var connections: Int
        public var messages: Int
        public var elapsed: Duration
        /// The server's rate at `connections` sessions busy all the time: connections ÷ latency.
        public var ideal: Double
        /// The handler process's peak resident memory (`VmHWM`), in bytes.
        public var peakResidentBytes: Int
        /// The most sessions the server ever saw inside a message at once, and the connections it accepted.
        public var mostConcurrent: Int
        public var serverConnections: Int

        public var emailsPerSecond: Double { Double(messages) / elapsed.seconds }
        public var shareOfIdeal: Double { emailsPerSecond / ideal }
    }

    public let options: Options

    public init(options: Options) { self.options = options }

    public func run(report: (Row) -> Void) async throws {
        for _ in 0..<options.rounds {
            for connections in options.connections { report(try await measure(connections: connections)) }
        }
    }

    private func measure(connections: Int) async throws -> Row {
        let sink = try SMTPSink(latency: options.latency)
        defer { sink.stop() }
        let context = try ZMQContext()
        defer { context.shutdown() }
        let dispatches = try await BusPusher.start(context: context, name: "bench.dispatches", endpoints: [.bind("tcp://127.0.0.1:*")])
        let results = try await BusPuller.start(context: context, name: "bench.results", endpoints: [.bind("tcp://127.0.0.1:*")])
        let receipts = try await BusPublisher.start(context: context, name: "bench.receipts", endpoints: [.bind("tcp://127.0.0.1:*")])
        let handler = try startHandler(
            connections: connections, sink: sink, dispatches: try await dispatches.boundEndpoint(),
            results: try await results.boundEndpoint(), receipts: try await receipts.boundEndpoint())
        defer {
            if handler.isRunning { handler.terminate() }
            handler.waitUntilExit()
        }

        let ideal = Double(connections) / options.latency.seconds
        try await deliver(connections, dispatches: dispatches, results: results, receipts: receipts, first: 0)
        let count = max(50, Int(ideal * options.seconds))
        let clock = ContinuousClock()
        let started = clock.now
        try await deliver(count, dispatches: dispatches, results: results, receipts: receipts, first: connections)
        let elapsed = clock.now - started
        let peak = Self.peakResidentBytes(of: handler.processIdentifier)

        handler.terminate()
        handler.waitUntilExit()
        await dispatches.close()
        await results.close()
        await receipts.close()
        return Row(
            connections: connections, messages: count, elapsed: elapsed, ideal: ideal, peakResidentBytes: peak,
            mostConcurrent: sink.mostConcurrentMessages, serverConnections: sink.connections)
    }

    /// Pushes `count` dispatches (ids from `first + 1`) and waits for their results, acknowledging each batch.
    private func deliver(
        _ count: Int, dispatches: BusPusher, results: BusPuller, receipts: BusPublisher, first: Int
    ) async throws {
        let pushing = Task {
            var id = first
            while id < first + count {
                let batch = try (id..<min(id + 256, first + count)).map { try Self.dispatch(id: $0 + 1) }
                try await dispatches.push(contentsOf: batch)
                id += batch.count
            }
        }
        var received = 0
        while received < count {
            let batch = await results.nextBatch(max: 1_000)
            guard !batch.isEmpty else { throw SMTPSinkError("the result socket closed") }
            var receipt = Leadflow_V1_ResultReceipt()
            for envelope in batch {
                let result = try envelope.decode(Leadflow_V1_ActionResult.self)
                guard result.outcome == .succeeded else {
                    throw SMTPSinkError("delivery \(result.actionID) failed: \(result.error)")
                }
                receipt.results.append(.with {
                    $0.actionID = result.actionID
                    $0.attempt = result.attempt
                })
            }
            _ = receipts.publish(try Envelope(subject: Subject("receipt.email"), message: receipt))
            received += batch.count
        }
        try await pushing.value
    }

    static func dispatch(id: Int) throws -> Envelope {
        var dispatch = Leadflow_V1_ActionDispatch()
        dispatch.actionID = Int64(id)
        dispatch.attempt = 1
        dispatch.org = "bench"
        dispatch.actionType = .email
        dispatch.idempotencyKey = "bench-\(id)"
        let now = Date()
        dispatch.dispatchedAt = Google_Protobuf_Timestamp(date: now)
        dispatch.deadline = Google_Protobuf_Timestamp(date: now.addingTimeInterval(300))
        dispatch.lead = .with {
            $0.leadID = Int64(id)
            $0.externalID = "lead-\(id)"
            $0.email = "lead\(id)@bench.test"
            $0.firstName = "Ada"
        }
        dispatch.email = .with {
            $0.sender = "Sales <sales@bench.test>"
            $0.subject = "Hello {{first_name}}"
            $0.text = "Hi {{first_name}},\nthis is a benchmark message of a typical size.\n"
                + String(repeating: "Some text of the kind a sales email holds. ", count: 20)
        }
        return try Envelope(
            subject: Subject("action.email"), message: dispatch, headers: Headers([Headers.Name.attempt: "1"]))
    }

    private func startHandler(
        connections: Int, sink: SMTPSink, dispatches: String, results: String, receipts: String
    ) throws -> Process {
        let settings = [
            "handler.email.driver": "smtp", "handler.email.url": sink.url, "handler.email.tls": "none",
            "handler.email.max_connections": "\(connections)", "handler.email.max_in_flight": "\(options.maxInFlight)",
            "handler.email.scheduler_endpoints": dispatches, "handler.email.result_endpoints": results,
            "handler.email.receipt_endpoints": receipts, "handler.email.spool_directory": "",
            "handler.email.timeout": "60s", "ingest.events_endpoint": "", "telemetry.endpoint": "",
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: options.executable)
        process.arguments = ["handler", "email"] + settings.sorted { $0.key < $1.key }.flatMap { ["--set", "\($0.key)=\($0.value)"] }
        var environment = ProcessInfo.processInfo.environment
        environment["LEADFLOW_LOG_LEVEL"] = "warning"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `VmHWM` of `pid` from /proc, in bytes (0 when it cannot be read).
    static func peakResidentBytes(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }
}
