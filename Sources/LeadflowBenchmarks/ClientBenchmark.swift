import LeadflowDomain
import LeadflowBus
import LeadflowClient
import LeadflowProto
import Logging
import SwiftProtobuf
import ZeroMQ

/// Measures `LeadflowClient` publish throughput: a batch of enrollments (the 16,000-lead import) for several
/// window sizes, against an `AckResponder` over tcp loopback that acks everything at once — or against a
/// running ingest service.
///
/// Against the stand-in the figure is the client's ceiling — what it adds on top of the bus; a real ingest
/// adds its database transactions. Each run then enrolls into a fresh organization, created by publishing
/// its pipeline first.
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
    /// A running ingest's ROUTER endpoint; `nil`: the in-process stand-in.
    public var endpoint: String?

    public init(messages: Int = 16_000, windows: [Int] = [1, 64, 1_024], runs: Int = 5, endpoint: String? = nil) {
        self.messages = messages
        self.windows = windows
        self.runs = runs
        self.endpoint = endpoint
    }

    /// Runs each window size `runs` times, interleaved round by round, and reports each one's median run.
    public func run(report: (Result) -> Void) async throws {
        let context = try ZMQContext()
        let standIn = endpoint == nil ? try await Self.startStandIn(context: context) : nil
        let endpoint = try await standIn?.responder.boundEndpoint() ?? endpoint ?? ""
        let session = UInt64.random(in: 0 ... .max) % 1_000_000
        let leads = (0..<messages).map { index in
            var enrollment = Leadflow_V1_LeadEnroll()
            enrollment.externalID = "crm-\(index)"
            enrollment.pipeline = "onboarding"
            return enrollment
        }
        var samples = [[(elapsed: Duration, latencies: [Duration])]](repeating: [], count: windows.count)
        for run in 0..<runs {
            for (index, window) in windows.enumerated() {
                let org = "bench-\(session)-\(run)-\(window)"
                samples[index].append(
                    try await Self.importLeads(leads, org: org, window: window, endpoint: endpoint, context: context))
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
        if let standIn {
            await standIn.responder.close()
            try await standIn.serving.value
        }
    }

    /// An `AckResponder` that acks every request as soon as it reads it.
    static func startStandIn(context: ZMQContext) async throws -> (responder: AckResponder, serving: Task<Void, any Error>) {
        let responder = try await AckResponder.start(
            context: context, name: "bench-ingest", endpoints: [.bind("tcp://127.0.0.1:*")])
        let serving = Task {
            while true {
                let batch = await responder.nextBatch(max: 512)
                if batch.isEmpty { return }
                for request in batch { try await responder.reply(.ok(msgID: request.msgID ?? ""), to: request.peer) }
            }
        }
        return (responder, serving)
    }

    /// The pipeline the leads enroll in: one stage that waits a day, so nothing runs during the benchmark.
    static let pipeline = Leadflow_V1_PipelineDefinition.with { pipeline in
        pipeline.name = "onboarding"
        pipeline.stages = [
            .with { stage in
                stage.name = "welcome"
                stage.actions = [.with { $0.wait = .with { $0.duration = Google_Protobuf_Duration(seconds: 86_400) } }]
            }
        ]
    }

    /// One import: a fresh client (as a service starting up would have) publishes the pipeline — which also
    /// shows the connection is up — and then enrolls every lead in one batch.
    static func importLeads(
        _ leads: [Leadflow_V1_LeadEnroll], org: String, window: Int, endpoint: String, context: ZMQContext
    ) async throws -> (elapsed: Duration, latencies: [Duration]) {
        var configuration = LeadflowClient.Configuration()
        configuration.maxOutstanding = window
        let client = try await LeadflowClient.connect(
            to: endpoint, configuration: configuration, context: context,
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        _ = try await client.upsertPipeline(org: org, pipeline)
        let start = ContinuousClock.now
        let outcomes = try await client.enroll(org: org, leads: leads)
        let elapsed = start.duration(to: .now)
        await client.close()
        return (elapsed, try outcomes.map { try $0.get().latency })
    }
}
