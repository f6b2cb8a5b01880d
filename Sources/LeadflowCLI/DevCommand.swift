import ArgumentParser
import Dispatch
import Foundation
import LeadflowBenchmarks
import LeadflowAdmin
import LeadflowClient
import LeadflowCollector
import LeadflowConfig
import LeadflowDomain
import LeadflowEngine
import LeadflowPipeline
import LeadflowSecrets
import LeadflowStore
import Logging
import Postgres
import ServiceLifecycle
import ZeroMQ

/// `leadflow dev`: every service in one process, with a private PostgreSQL unless a database is given.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run all of Leadflow in one process (private PostgreSQL unless --database-url/DATABASE_URL is set).",
        discussion: """
            Starts a private PostgreSQL cluster in --directory when no database is given, applies the \
            migrations, and runs ingest, a scheduler, a handler per action type (log driver unless \
            configured), the collector and the admin HTTP API until interrupted (Ctrl-C or SIGTERM). With \
            --demo N it applies the three-step example pipeline, imports N leads through the client library, \
            shows progress and a summary, and exits.

            \(ConfigOptions.discussion)
            """)

    @OptionGroup var options: ConfigOptions

    @OptionGroup(title: "Private PostgreSQL (when no database is given)")
    var postgres: PostgresCommand.Location

    @Flag(help: "Exit after the database is ready instead of running.")
    var setupOnly = false

    @Option(help: "Import this many demo leads, print a summary and exit.")
    var demo: Int?

    @Option(help: "The demo's pipeline file.")
    var demoPipeline = "examples/pipelines/three-step.yaml"

    @Flag(inversion: .prefixedNo, help: "Run the metrics collector too (collector.* settings; `leadflow top` reads it).")
    var collector = true

    @Flag(inversion: .prefixedNo, help: "Run the admin HTTP API too, except with --demo (admin.* settings; tokens: leadflow admin token create).")
    var admin = true

    @Option(help: "Where the collector's JSON lines go with --demo, which owns the terminal (default: .leadflow/collector.log).")
    var demoCollectorLog = ".leadflow/collector.log"

    func validate() throws {
        if let demo, !(1...10_000_000).contains(demo) { throw ValidationError("--demo takes 1…10000000 leads") }
    }

    func run() async throws {
        let logger = CLILogging.logger("dev")
        let settings = try options.settings()
        // Everything in one process, on loopback and inproc: no bus crosses hosts, so there is nothing for CURVE
        // to protect — and a non-loopback ingest endpoint needs the separate services with CURVE.
        guard !settings.bus.isCurve else {
            throw CLIError("leadflow dev runs plaintext on loopback; bus.curve_* settings are for leadflow ingest, scheduler, handler and collector")
        }
        try settings.checkBinds(settings.ingestBinds + (collector ? settings.collectorBinds : []))
        try await postgres.withServer(given: settings.databaseURL?.revealed) { url, isPrivate in
            if isPrivate { logger.info("private PostgreSQL started", metadata: ["directory": "\(postgres.directory)"]) }
            let report = try await Migrator(logger: CLILogging.logger("migrate")).migrate(url: url)
            Self.say("leadflow dev: database ready (\(report))")
            if isPrivate { Self.say("leadflow dev: psql \(url)") }
            if !setupOnly { try await runEngine(settings: settings, url: url, isPrivate: isPrivate, logger: logger) }
        }
    }

    private func runEngine(settings: LeadflowSettings, url: String, isPrivate: Bool, logger: Logger) async throws {
        let context = try ZMQContext()
        defer { context.shutdown() }
        let collector = try await self.collector ? startCollector(settings: settings, context: context) : nil
        if collector != nil { Self.say("leadflow dev: collector at http://\(settings.collector.httpAddress) (leadflow top)") }
        let database = try PostgresClient(
            configuration: .init(url: url, applicationName: "leadflow-admin"), maxConnections: settings.admin.databaseConnections,
            logger: logger)
        let result = await Result(catching: {
            // The demo exits when its leads are through: nobody would call the API.
            let admin = try self.admin && demo == nil
                ? AdminService(configuration: settings.admin, database: database, logger: CLILogging.logger("admin")) : nil
            // The collector and the admin API run beside the engine, as children cancelled when it stops.
            try await withThrowingTaskGroup(of: Void.self) { group in
                defer { group.cancelAll() }
                if let collector { group.addTask { try await collector.run() } }
                if let admin {
                    group.addTask {
                        try await Self.runGracefully(admin, within: settings.shutdownTimeout, logger: logger)
                    }
                    let port = try await admin.port()
                    let host = HTTPAddress(settings.admin.listen)?.host ?? "127.0.0.1"
                    Self.say("leadflow dev: admin API at http://\(host):\(port) (tokens: leadflow admin token create --name me --role admin)")
                    if isPrivate {
                        // The private database is this machine's own: ready-made tokens for the console.
                        let tokens = try await DevTokens.issue(on: database)
                        Self.say("leadflow dev: console at http://\(host):\(port)/console; log in with a development token (for a day):")
                        Self.say("leadflow dev:   viewer   \(tokens.viewer)")
                        Self.say("leadflow dev:   operator \(tokens.operator)")
                    } else {
                        Self.say("leadflow dev: console at http://\(host):\(port)/console (log in with an admin token)")
                    }
                }
                try await runServices(settings: settings, url: url, logger: logger)
            }
        })
        await database.shutdown()
        try result.get()
    }

    /// Prints a line of the start-up's story and flushes the output streams (`fflush(nil)`; Swift 6 will not
    /// touch the global `stdout`), so a reader of a pipe or a file — a supervisor's log, a test — has it at
    /// once rather than when the buffer fills.
    static func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// Runs `service` until this task is cancelled, then shuts it down gracefully instead of cancelling it (an
    /// HTTP server cancelled mid-request logs an error for what is a normal stop), cancelling it after `limit`
    /// (`service.shutdown_timeout`). The service group runs in a task of its own, awaited here, because a
    /// cancelled `ServiceGroup.run()` cancels its services.
    private static func runGracefully(_ service: some Service, within limit: Duration, logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(services: [.init(service: service)], logger: logger)
        configuration.maximumGracefulShutdownDuration = limit
        let group = ServiceGroup(configuration: configuration)
        let running = Task { try await group.run() }
        try await withTaskCancellationHandler {
            try await running.value
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    private func startCollector(settings: LeadflowSettings, context: ZMQContext) async throws -> CollectorService {
        var lines = LineSink.standardOutput()
        if let path = settings.collector.logFile ?? (demo == nil ? nil : demoCollectorLog) {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            do { lines = try LineSink.file(path) } catch {
                throw CLIError("collector log \(path): cannot append to it (\(error.localizedDescription))")
            }
        }
        do {
            return try await CollectorService.start(
                configuration: settings.collector, rules: try CollectorCommand.rules(settings.collector.rulesFile),
                context: context, lines: lines, logger: CLILogging.logger("collector"))
        } catch let error as ZMQError {
            throw CLIError("the collector cannot start (\(error)); another collector may hold \(settings.collector.metricsEndpoint) — stop it or run with --no-collector")
        }
    }

    private func runServices(settings: LeadflowSettings, url: String, logger: Logger) async throws {
        var engineLogger = CLILogging.logger("engine")
        // The demo's progress bar is the output; one log line per delivery would bury it.
        if demo != nil { engineLogger.logLevel = .warning }
        try await LocalEngine.withRunning(settings: settings, databaseURL: url, logger: engineLogger) { engine in
            let endpoint = try await engine.ingestEndpoint()
            Self.say("leadflow dev: ingest at \(endpoint); handlers: "
                + settings.handlers.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue)=\($0.value.driver)" }.joined(separator: ", "))
            if let demo {
                try await runDemo(leads: demo, engine: engine, endpoint: endpoint, settings: settings)
            } else {
                Self.say("leadflow dev: running; press Ctrl-C to stop")
                let signal = await Self.waitForTermination()
                logger.info("stopping", metadata: ["signal": "\(signal)"])
            }
        }
    }

    private func runDemo(leads: Int, engine: LocalEngine, endpoint: String, settings: LeadflowSettings) async throws {
        let pipeline =
            FileManager.default.fileExists(atPath: demoPipeline)
            ? try PipelineFile.load(path: demoPipeline)
            : try PipelineDecoder().decode(yaml: BenchmarkPipeline.threeStepYAML, file: "three-step.yaml")
        Self.say("leadflow dev: demo — \(leads) leads through \"\(pipeline.name)\"")
        let client = try await LeadflowClient.connect(to: endpoint, logger: CLILogging.logger("client"))
        let run = EndToEndRun(
            org: "demo-\(Int(Date().timeIntervalSince1970))", pipeline: pipeline, leads: leads, idleProbes: 100)
        let report = await Result(catching: {
            try await ProgressLine.show(run, engine: engine, client: client, eventsEndpoint: settings.scheduler.eventsEndpoint)
        })
        await client.close()
        print(try report.get().summary)
    }

    /// Suspends until SIGINT or SIGTERM arrives and returns its name. Both stay ignored afterwards, so a
    /// second Ctrl-C cannot cut the shutdown short.
    static func waitForTermination() async -> String {
        let (names, continuation) = AsyncStream<String>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            sources.append(source)
        }
        var iterator = names.makeAsyncIterator()
        let name = await iterator.next() ?? "end"
        withExtendedLifetime(sources) {}
        return name
    }
}
