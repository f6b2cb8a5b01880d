import Foundation
import LeadflowClient
import LeadflowPipeline
import LeadflowProto
import LeadflowStore
import LeadflowTestKit
import Logging
import Postgres
import PostgresServer
import Synchronization
import Testing

/// One fault-injection run: a temporary folder for sockets and logs, a migrated database, a recording HTTP sink
/// and the `leadflow` service processes started against them over `ipc://` sockets in the folder.
///
/// Every process still running when the run ends is killed, whatever happened; on a failure the tails of their
/// logs go into the recorded issue and the folder is kept.
final class FaultRun: Sendable {
    /// Where the database comes from.
    enum Database: Sendable {
        /// A fresh database on the shared test server (`TestDatabase`).
        case shared
        /// A private cluster in the run's folder, on a fixed port, that the test may stop and start.
        case privateCluster
    }

    let folder: String
    let databaseURL: String
    let cluster: LocalPostgresCluster?
    let sink: TestHTTPServer
    let database: PostgresClient
    /// `--set key=value` settings every service process gets.
    let settings: [String: String]
    private let processes = Mutex<[ChildProcess]>([])
    private let clients = Mutex<[LeadflowClient]>([])
    private let failed = Atomic<Bool>(false)

    static let silent = Logger(label: "fault-test") { _ in SwiftLogNoOpLogHandler() }

    private init(
        folder: String, databaseURL: String, cluster: LocalPostgresCluster?, sink: TestHTTPServer,
        settings: [String: String]
    ) throws {
        self.folder = folder
        self.databaseURL = databaseURL
        self.cluster = cluster
        self.sink = sink
        self.settings = settings
        database = try PostgresClient(configuration: .init(url: databaseURL), maxConnections: 2, logger: Self.silent)
    }

    /// Runs `body` with a fresh run; `settings` are added to (or replace) the defaults every service gets.
    static func with<T: Sendable>(
        _ name: String, database: Database = .shared, settings: [String: String] = [:],
        _ body: (FaultRun) async throws -> T
    ) async throws -> T {
        // Short: ipc:// socket paths must stay under 108 bytes.
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("lf-\(name)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        switch database {
        case .shared:
            return try await TestDatabase.withFreshDatabase { url in
                try await run(folder: folder, url: url, cluster: nil, settings: settings, body)
            }
        case .privateCluster:
            let cluster = try LocalPostgresCluster(
                directory: folder + "/pg",
                // Not durable (no fsync: fast), but every commit reaches the operating system before it returns,
                // so a killed server loses nothing it acknowledged — what this cluster is restarted to check.
                options: .init(
                    port: Int(try LoopbackPort.unused()), durable: false,
                    settings: ["synchronous_commit": "on", "max_connections": "100"]))
            try await cluster.start()
            do {
                // The run stops the cluster when it finishes; this is for a failure before the run exists.
                return try await run(folder: folder, url: cluster.url, cluster: cluster, settings: settings, body)
            } catch {
                try? await cluster.stop(mode: .immediate)
                throw error
            }
        }
    }

    private static func run<T: Sendable>(
        folder: String, url: String, cluster: LocalPostgresCluster?, settings: [String: String],
        _ body: (FaultRun) async throws -> T
    ) async throws -> T {
        _ = try await Migrator(logger: silent).migrate(url: url)
        let sink = try await TestHTTPServer.start()
        let run = try FaultRun(
            folder: folder, databaseURL: url, cluster: cluster, sink: sink,
            settings: defaultSettings(folder: folder).merging(settings) { _, new in new })
        let value: T
        do {
            value = try await body(run)
        } catch {
            // The thrown error is the issue; the logs say why.
            run.failed.store(true, ordering: .relaxed)
            print("fault run failed: \(error)\n\(run.logTails())")
            await run.finish()
            throw error
        }
        await run.finish()
        return value
    }

    /// Every service on `ipc://` sockets in the folder (no ports to race for), lead events off, a quick
    /// scheduler and webhooks delivered for real over HTTP.
    static func defaultSettings(folder: String) -> [String: String] {
        [
            "ingest.endpoint": "ipc://\(folder)/ingest", "ingest.events_endpoint": "",
            "scheduler.email_endpoint": "ipc://\(folder)/email", "scheduler.sms_endpoint": "ipc://\(folder)/sms",
            "scheduler.webhook_endpoint": "ipc://\(folder)/webhook", "scheduler.results_endpoint": "ipc://\(folder)/results",
            "scheduler.events_endpoint": "", "scheduler.receipts_endpoint": "ipc://\(folder)/receipts",
            "scheduler.idle_interval": "200ms",
            "handler.email.spool_directory": "\(folder)/spool", "handler.sms.spool_directory": "\(folder)/spool",
            "handler.webhook.spool_directory": "\(folder)/spool",
            "scheduler.retry_base": "100ms", "scheduler.retry_cap": "500ms",
            "handler.webhook.driver": "http", "handler.webhook.secret": "fault-secret",
        ]
    }

    // MARK: Processes

    /// Starts `leadflow <command…>` with the run's settings; its output goes to `<name>.log`.
    @discardableResult
    func start(_ name: String, _ command: [String]) throws -> ChildProcess {
        let assignments = settings.sorted { $0.key < $1.key }.flatMap { ["--set", "\($0.key)=\($0.value)"] }
        let process = try ChildProcess(
            name: name, arguments: command + assignments + ["--database-url", databaseURL],
            logPath: "\(folder)/\(name).log", environment: ["LEADFLOW_LOG_LEVEL": "info"])
        processes.withLock { $0.append(process) }
        return process
    }

    @discardableResult
    func startWebhookHandler(_ name: String) throws -> ChildProcess {
        try start(name, ["handler", "webhook"])
    }

    /// The services of a run and a client of its ingest.
    struct Services {
        let ingest: ChildProcess
        let scheduler: ChildProcess
        let handlers: [ChildProcess]
        let client: LeadflowClient
    }

    /// Starts ingest, a scheduler and one webhook handler per name, connects a client and defines `hooks`.
    func startServices(handlers: [String]) async throws -> Services {
        let ingest = try start("ingest", ["ingest"])
        let scheduler = try start("scheduler", ["scheduler"])
        let started = try handlers.map { try startWebhookHandler($0) }
        let client = try await client()
        try await applyPipeline(client: client)
        return Services(ingest: ingest, scheduler: scheduler, handlers: started, client: client)
    }

    /// Sends SIGTERM to `process`, waits up to 20 s for it to end, checks that it exited 0, and returns how long
    /// it took.
    func terminate(_ process: ChildProcess, sourceLocation: SourceLocation = #_sourceLocation) async -> Duration {
        let clock = ContinuousClock()
        let signalled = clock.now
        process.send(SIGTERM)
        let ended = await process.waitForExit(timeout: .seconds(20))
        let took = clock.now - signalled
        check(
            ended == .exited(0), "\(process.name) ended with \(ended.map { "\($0)" } ?? "nothing") \(took) after SIGTERM",
            sourceLocation: sourceLocation)
        return took
    }

    /// Kills what still runs, waits for it, stops a private cluster, and removes the folder unless something
    /// failed.
    private func finish() async {
        let all = processes.withLock { $0 }
        for process in all { process.send(SIGKILL) }
        for process in all { _ = await process.waitForExit(timeout: .seconds(10)) }
        for client in clients.withLock({ $0 }) { await client.close() }
        await database.shutdown()
        await sink.stop()
        // Before the folder goes: a server whose data directory vanished would linger until it noticed.
        try? await cluster?.stop(mode: .immediate)
        if failed.load(ordering: .relaxed) {
            print("fault run \(folder) kept for inspection")
        } else {
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    // MARK: Client

    /// A client on ingest's socket that retries every second and gives up after a minute; closed with the run.
    func client() async throws -> LeadflowClient {
        var configuration = LeadflowClient.Configuration()
        configuration.attemptTimeout = .seconds(1)
        configuration.retry = .init(base: .milliseconds(100), cap: .seconds(1))
        let client = try await LeadflowClient.connect(
            to: settings["ingest.endpoint"]!, configuration: configuration, logger: Self.silent)
        clients.withLock { $0.append(client) }
        return client
    }

    /// The organization every run enrolls into.
    static let org = "faults"

    /// Defines pipeline `hooks`: two webhooks in a row to the sink (`/first`, `/second`), so a fault also lands
    /// between the steps of some leads.
    func applyPipeline(client: LeadflowClient) async throws {
        let yaml = """
            name: hooks
            stages:
              - name: notify
                actions:
                  - webhook:
                      url: "\(sink.baseURL)/first"
                      body: '{"lead": "{{external_id}}", "step": 1}'
                  - webhook:
                      url: "\(sink.baseURL)/second"
                      body: '{"lead": "{{external_id}}", "step": 2}'
            """
        _ = try await client.upsertPipeline(org: Self.org, try PipelineDecoder().decode(yaml: yaml))
    }

    /// Answers both webhooks of `hooks` with 200 after `delay` (deliveries stay in flight that long).
    func answerWebhooks(after delay: Duration?) {
        for path in ["/first", "/second"] { sink.route(path, method: "POST", .init(status: 200, text: "{}", delay: delay)) }
    }

    /// Enrolls `lead-<i>` for every `i` in `range` into `hooks`, noting each acknowledgement in `log`.
    func enroll(_ range: Range<Int>, client: LeadflowClient, into log: AcknowledgementLog) async {
        await log.enroll(range, org: Self.org, pipeline: "hooks", client: client)
    }

    /// Enrolls `lead-<i>` for every `i` in `range` into `hooks` and checks that ingest acknowledged each one.
    func enroll(_ range: Range<Int>, client: LeadflowClient, sourceLocation: SourceLocation = #_sourceLocation) async {
        let log = AcknowledgementLog()
        await enroll(range, client: client, into: log)
        check(log.failures.isEmpty, "enrollments failed: \(log.failures.prefix(3))", sourceLocation: sourceLocation)
    }

    // MARK: Observing

    /// Polls `condition` every 20 ms until it holds, for at most `timeout`; errors count as "not yet" (the
    /// database may be restarting). Records an issue with the processes' logs and throws when time runs out.
    func waitUntil(
        _ description: String, timeout: Duration = .seconds(45),
        sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var lastError: (any Error)?
        while clock.now < deadline {
            do {
                if try await condition() { return }
                lastError = nil
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let reason = "timed out after \(timeout) waiting until \(description)" + (lastError.map { " (last error: \($0))" } ?? "")
        recordFailure(reason + "\n" + (await summary()), sourceLocation: sourceLocation)
        throw FaultTestError(reason)
    }

    /// One integer from the run's database.
    func count(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
        try await database.query(sql, parameters).scalar(Int.self) ?? 0
    }

    /// Waits until the database holds both webhook actions of each of `leads` leads and none is left to do
    /// (none pending or dispatched; blocked ones stay behind a dead one) — the run is over, well or not — then
    /// checks that every lead completed its stage and no action is dead.
    func waitUntilSettled(leads: Int, timeout: Duration = .seconds(45), sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        try await waitUntil("the webhooks of \(leads) leads are settled", timeout: timeout, sourceLocation: sourceLocation) {
            let (total, open) = try await database.query(
                """
                SELECT count(*), count(*) FILTER (WHERE status IN ('pending', 'dispatched', 'waiting'))
                FROM lead_stage_actions WHERE type = 'webhook'
                """
            ).map { try $0.decode((Int, Int).self) }.first ?? (0, 0)
            return total == 2 * leads && open == 0
        }
        let completed = try await count(
            "SELECT count(*) FROM lead_stages WHERE org_id = $1 AND exit_reason = 'completed'", [Self.org])
        let dead = try await count("SELECT count(*) FROM lead_stage_actions WHERE status = 'dead'")
        if completed != leads || dead != 0 {
            recordFailure(
                "\(completed) of \(leads) leads completed, \(dead) actions dead; \(await summary())",
                sourceLocation: sourceLocation)
        }
    }

    /// What the sink received against what the database says was dispatched, printed under `label`, checked
    /// for what must hold after any fault: every action's key arrived, no other key did, and no key more often
    /// than its action was dispatched.
    func checkDeliveries(_ label: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> DeliveryLedger {
        let ledger = try await ledger()
        print("\(label): \(ledger)")
        check(ledger.missing.isEmpty, "keys never delivered: \(ledger.missing.prefix(5))", sourceLocation: sourceLocation)
        check(ledger.unknown.isEmpty, "keys that are no action's: \(ledger.unknown.prefix(5))", sourceLocation: sourceLocation)
        check(
            ledger.overDelivered.isEmpty, "keys delivered more often than dispatched: \(ledger.overDelivered.prefix(5))",
            sourceLocation: sourceLocation)
        return ledger
    }

    /// What the sink received against what the database says was dispatched.
    func ledger() async throws -> DeliveryLedger {
        let requests = sink.recordedRequests
        let rows = try await database.query(
            "SELECT idempotency_key, attempts FROM lead_stage_actions WHERE type = 'webhook'")
        var attempts: [String: Int] = [:]
        for row in rows {
            let (key, count) = try row.decode((String, Int).self)
            attempts[key] = count
        }
        return DeliveryLedger(deliveredKeys: requests.map { $0.header("Idempotency-Key") ?? "" }, attempts: attempts)
    }

    // MARK: Failures

    /// Actions by status and the sink's count, for failure reports.
    func summary() async -> String {
        let statuses = try? await database.query(
            "SELECT status, count(*), max(attempts) FROM lead_stage_actions GROUP BY status ORDER BY status"
        ).map { row in
            let (status, count, attempts) = try row.decode((String, Int, Int).self)
            return "\(status) \(count) (attempts ≤ \(attempts))"
        }
        return "actions: \(statuses?.joined(separator: ", ") ?? "unknown"); sink: \(sink.recordedRequests.count) requests"
    }

    /// Records an issue unless `condition` holds, with the tails of every process's log.
    func check(
        _ condition: Bool, _ message: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        if !condition { recordFailure(message(), sourceLocation: sourceLocation) }
    }

    func recordFailure(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        failed.store(true, ordering: .relaxed)
        Issue.record(Comment(rawValue: message + "\n" + logTails()), sourceLocation: sourceLocation)
    }

    /// The last lines of every process's output.
    func logTails(_ lines: Int = 25) -> String {
        processes.withLock { $0 }.map { process in
            "--- \(process.name) (pid \(process.pid), \(process.termination.map { "\($0)" } ?? "running")):\n"
                + process.tail(lines)
        }.joined(separator: "\n")
    }
}
