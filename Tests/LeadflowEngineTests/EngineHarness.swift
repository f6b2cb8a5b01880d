import Foundation
import LeadflowBus
import LeadflowCurve
import LeadflowDomain
import LeadflowIngest
import LeadflowPipeline
import LeadflowProto
import LeadflowScheduler
import LeadflowStore
import LeadflowTestKit
import Logging
import Postgres
import SwiftProtobuf
import Testing
import Synchronization
import ZeroMQ

/// A migrated database, an ingest service on an ephemeral loopback port, and helpers to start schedulers
/// and talk to them — every piece real: PostgreSQL, ZeroMQ sockets, the services' own loops.
struct EngineHarness: Sendable {
    let url: String
    let database: PostgresClient
    let context: ZMQContext
    let ingest: IngestService
    let ingestEndpoint: String
    let services: ServiceTasks

    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// Runs `body` with an ingest service that has not started reading yet when `running` is false: requests
    /// sent before ``startIngest()`` queue up and are read as one batch. With CURVE in `security`, ingest's
    /// sockets are CURVE servers behind the context's ZAP handler.
    static func with<T: Sendable>(
        running: Bool = true, ingestEvents: Bool = false, security: BusSecurity = .plaintext,
        _ body: (EngineHarness) async throws -> T
    ) async throws -> T {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let database = try PostgresClient(configuration: .init(url: url), maxConnections: 6)
            let context = try ZMQContext()
            var configuration = IngestConfiguration()
            configuration.endpoint = "tcp://127.0.0.1:*"
            configuration.eventsEndpoint = ingestEvents ? "tcp://127.0.0.1:*" : nil
            let authenticator = try await BusAuthenticator.start(context: context, security: security, logger: logger)
            let ingest = try await IngestService.start(
                configuration: configuration, database: database, context: context, logger: logger,
                security: security, authenticator: authenticator)
            let harness = EngineHarness(
                url: url, database: database, context: context, ingest: ingest,
                ingestEndpoint: try await ingest.boundEndpoint(), services: ServiceTasks())
            if running { harness.startIngest() }
            do {
                let value = try await body(harness)
                await harness.stop()
                return value
            } catch {
                await harness.stop()
                throw error
            }
        }
    }

    func ingestEventsEndpoint() async throws -> String { try await ingest.eventsEndpoint()! }

    func startIngest() {
        services.add { try await ingest.run() } stop: { ingest.shutdown() }
    }

    /// A scheduler on ephemeral ports, running until the harness stops; `socketOptions` for its bound sockets.
    func startScheduler(
        socketOptions: SocketOptions = SocketOptions(), _ adjust: (inout SchedulerConfiguration) -> Void = { _ in }
    ) async throws -> SchedulerService {
        var configuration = SchedulerConfiguration()
        for type in ActionType.external { configuration.dispatchEndpoints[type] = "tcp://127.0.0.1:*" }
        configuration.resultsEndpoint = "tcp://127.0.0.1:*"
        configuration.eventsEndpoint = nil
        configuration.receiptsEndpoint = "tcp://127.0.0.1:*"
        configuration.idleInterval = .milliseconds(200)
        adjust(&configuration)
        let scheduler = try await SchedulerService.start(
            configuration: configuration, database: database, context: context, logger: Self.logger,
            socketOptions: socketOptions)
        services.add { try await scheduler.run() } stop: { scheduler.shutdown() }
        return scheduler
    }

    func stop() async {
        await services.stopAll()
        await database.shutdown()
        context.shutdown()
    }

    func requester() async throws -> AckRequester {
        try await AckRequester.start(context: context, name: "test.client", endpoints: [.connect(ingestEndpoint)])
    }

    /// An envelope for ingest with a msg id.
    static func envelope(_ subject: String, _ message: some SwiftProtobuf.Message, msgID: String) throws -> Envelope {
        var headers = Headers()
        try headers.append(Headers.Name.msgID, msgID)
        return try Envelope(subject: Subject(subject), message: message, headers: headers)
    }

    /// Sends and returns the ack (or throws after 10 s).
    @discardableResult
    func send(
        _ subject: String, _ message: some SwiftProtobuf.Message, msgID: String = UUID().uuidString,
        via requester: AckRequester
    ) async throws -> Ack {
        try await requester.request(Self.envelope(subject, message, msgID: msgID), timeout: .seconds(10))
    }

    func definePipeline(_ yaml: String, org: String = "acme", via requester: AckRequester) async throws {
        let definition = try PipelineDecoder().decode(yaml: yaml)
        let ack = try await send("pipeline.upsert.\(org)", definition, via: requester)
        #expect(ack == .ok(msgID: ack.msgID))
    }

    /// Waits until `condition` holds on the database, checking every 20 ms, for at most `timeout`.
    func waitUntil(
        _ description: String, timeout: Duration = .seconds(60), _ condition: @Sendable (PostgresConnection) async throws -> Bool
    ) async throws {
        let database = database
        try await eventually(description, timeout: timeout) {
            try await database.withConnection { try await condition($0) }
        }
    }

    func count(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
        try await database.query(sql, parameters).scalar(Int.self) ?? 0
    }
}

/// Services a test started, stopped together at its end.
final class ServiceTasks: Sendable {
    private let entries = Mutex<[(task: Task<Void, any Error>, stop: @Sendable () -> Void)]>([])

    func add(_ run: @escaping @Sendable () async throws -> Void, stop: @escaping @Sendable () -> Void) {
        let task = Task { try await run() }
        entries.withLock { $0.append((task, stop)) }
    }

    func stopAll() async {
        let all = entries.withLock { entries in
            defer { entries = [] }
            return entries
        }
        for entry in all.reversed() { entry.stop() }
        for entry in all { _ = await entry.task.result }
    }
}

/// A handler stand-in for scheduler tests: a real PULL/PUSH peer that records each dispatch and answers with
/// the outcome `answer` chooses (success by default), naming the organization as handlers do.
final class RecordingHandler: Sendable {
    let pullers: [BusPuller]
    let pusher: BusPusher
    let answer: @Sendable (Leadflow_V1_ActionDispatch) -> Leadflow_V1_ActionResult.Outcome
    /// Fills the rest of a result (error, retry_after…) once `answer` has set its outcome.
    let detail: @Sendable (Leadflow_V1_ActionDispatch, inout Leadflow_V1_ActionResult) -> Void
    private let seen = Mutex<[Leadflow_V1_ActionDispatch]>([])
    private let tasks = Mutex<[Task<Void, Never>]>([])

    init(
        context: ZMQContext, dispatchEndpoints: [String], resultEndpoints: [String],
        options: SocketOptions = SocketOptions(),
        answer: @escaping @Sendable (Leadflow_V1_ActionDispatch) -> Leadflow_V1_ActionResult.Outcome = { _ in .succeeded },
        detail: @escaping @Sendable (Leadflow_V1_ActionDispatch, inout Leadflow_V1_ActionResult) -> Void = { _, _ in }
    ) async throws {
        var pullers: [BusPuller] = []
        for endpoint in dispatchEndpoints {
            pullers.append(
                try await BusPuller.start(
                    context: context, name: "test.handler", endpoints: [.connect(endpoint)], options: options))
        }
        self.pullers = pullers
        self.pusher = try await BusPusher.start(
            context: context, name: "test.results", endpoints: resultEndpoints.map { .connect($0) }, options: options)
        self.answer = answer
        self.detail = detail
        let tasks = pullers.map { puller in Task { await self.serve(puller) } }
        self.tasks.withLock { $0 = tasks }
    }

    var dispatches: [Leadflow_V1_ActionDispatch] { seen.withLock { $0 } }

    private func serve(_ puller: BusPuller) async {
        while true {
            let batch = await puller.nextBatch(max: 500)
            if batch.isEmpty { return }
            var results: [Envelope] = []
            for envelope in batch {
                guard let dispatch = try? envelope.decode(Leadflow_V1_ActionDispatch.self) else { continue }
                seen.withLock { $0.append(dispatch) }
                var result = Leadflow_V1_ActionResult()
                result.actionID = dispatch.actionID
                result.attempt = dispatch.attempt
                result.outcome = answer(dispatch)
                detail(dispatch, &result)
                let type = envelope.subject.lastToken
                // As handlers do: the dispatch's organization goes back in `Leadflow-Org`.
                var headers = Headers()
                if !dispatch.org.isEmpty { try? headers.append(Headers.Name.org, dispatch.org) }
                if let reply = try? Envelope(subject: Subject("result.\(type)"), message: result, headers: headers) {
                    results.append(reply)
                }
            }
            try? await pusher.push(contentsOf: results)
        }
    }

    func close() async {
        for puller in pullers { await puller.close() }
        for task in tasks.withLock({ $0 }) { await task.value }
        await pusher.close()
    }
}
