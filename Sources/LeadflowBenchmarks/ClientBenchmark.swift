import LeadflowBus
import LeadflowClient
import LeadflowProto
import Logging
import ZeroMQ

/// Measures `LeadflowClient` publish throughput: a batch of enrollments (the 16,000-lead import) against an
/// `AckResponder` that acks everything at once, over tcp loopback, for several window sizes.
///
/// The figure is the client's ceiling — what it adds on top of the bus — since the stand-in commits nothing;
/// a real ingest adds its database round trips.
public struct ClientBenchmark: Sendable {
    public struct Result: Sendable {
        public let maxOutstanding: Int
        public let messages: Int
        public let messagesPerSecond: Double
        /// Median and 99th percentile of the receipts' latency (first send to `+OK`), of the median run.
        public let p50: Duration
        public let p99: Duration
    }

    public var messages: Int
    public var windows: [Int]
    public var runs: Int

    public init(messages: Int = 16_000, windows: [Int] = [1, 64, 1_024], runs: Int = 5) {
        self.messages = messages
        self.windows = windows
        self.runs = runs
    }

    /// Runs each window size `runs` times, interleaved round by round, and reports each one's median run.
    public func run(report: (Result) -> Void) async throws {
        let context = try ZMQContext()
        let responder = try await AckResponder.start(context: context, name: "bench-ingest", endpoints: [.bind("tcp://127.0.0.1:*")])
        let serving = Task {
            while true {
                let batch = await responder.nextBatch(max: 512)
                if batch.isEmpty { return }
                for request in batch { try await responder.reply(.ok(msgID: request.msgID ?? ""), to: request.peer) }
            }
        }
        let endpoint = try await responder.boundEndpoint()
        let leads = (0..<messages).map { index in
            var enrollment = Leadflow_V1_LeadEnroll()
            enrollment.externalID = "crm-\(index)"
            enrollment.pipeline = "onboarding"
            return enrollment
        }
        var samples = [[(elapsed: Duration, latencies: [Duration])]](repeating: [], count: windows.count)
        for _ in 0..<runs {
            for (index, window) in windows.enumerated() {
                samples[index].append(try await Self.importLeads(leads, window: window, endpoint: endpoint, context: context))
            }
        }
        for (index, window) in windows.enumerated() {
            let median = samples[index].sorted { $0.elapsed < $1.elapsed }[runs / 2]
            let latencies = median.latencies.sorted()
            report(
                Result(
                    maxOutstanding: window, messages: messages,
                    messagesPerSecond: Double(messages) / median.elapsed.seconds,
                    p50: latencies[latencies.count / 2], p99: latencies[latencies.count * 99 / 100]))
        }
        await responder.close()
        try await serving.value
    }

    /// One import: a fresh client (as a service starting up would have) enrolls every lead in one batch.
    static func importLeads(
        _ leads: [Leadflow_V1_LeadEnroll], window: Int, endpoint: String, context: ZMQContext
    ) async throws -> (elapsed: Duration, latencies: [Duration]) {
        var configuration = LeadflowClient.Configuration()
        configuration.maxOutstanding = window
        let client = try await LeadflowClient.connect(
            to: endpoint, configuration: configuration, context: context,
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        _ = try await client.upsertLead(org: "bench", Leadflow_V1_LeadUpsert())  // connected: the clock starts now
        let start = ContinuousClock.now
        let outcomes = try await client.enroll(org: "bench", leads: leads)
        let elapsed = start.duration(to: .now)
        await client.close()
        return (elapsed, try outcomes.map { try $0.get().latency })
    }
}
