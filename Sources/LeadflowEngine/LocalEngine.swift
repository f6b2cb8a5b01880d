import Curl
import Foundation
import LeadflowBus
import LeadflowConfig
import LeadflowDomain
import LeadflowHandlers
import LeadflowIngest
import LeadflowScheduler
import LeadflowTelemetry
import Logging
import Postgres
import Synchronization
import ZeroMQ

/// Ingest, a scheduler and a handler per external type in one process — what `leadflow dev`, the demo and
/// the end-to-end benchmark run. Clients reach ingest over its configured endpoint (tcp by default); the
/// scheduler and handlers talk over `inproc://` in the shared ZeroMQ context. With `telemetry.endpoint` set,
/// every component measures into one ``TelemetryPublisher`` for the process.
public final class LocalEngine: Sendable {
    public let ingest: IngestService
    public let scheduler: SchedulerService
    public let handlers: [HandlerService]
    /// A pool for callers of the engine (the benchmark's polls); its round trips are not measured.
    public let database: PostgresClient
    public let context: ZMQContext
    /// The process's measurement publisher; nil with telemetry off.
    public let telemetryPublisher: TelemetryPublisher?
    /// The services' own pools when telemetry is on (each reports its round trips as its component's).
    let servicePools: [PostgresClient]
    let curl: CurlMulti?
    /// The handlers' drivers, closed (SMTP sessions get QUIT) once the handlers have stopped.
    let drivers: [any DeliveryDriver]
    let logger: Logger

    private init(
        ingest: IngestService, scheduler: SchedulerService, handlers: [HandlerService], database: PostgresClient,
        context: ZMQContext, telemetryPublisher: TelemetryPublisher?, servicePools: [PostgresClient], curl: CurlMulti?,
        drivers: [any DeliveryDriver],
        logger: Logger
    ) {
        self.ingest = ingest
        self.scheduler = scheduler
        self.handlers = handlers
        self.database = database
        self.context = context
        self.telemetryPublisher = telemetryPublisher
        self.servicePools = servicePools
        self.curl = curl
        self.drivers = drivers
        self.logger = logger
    }

    /// Connects to the database and binds every socket; nothing runs before ``run()``.
    public static func start(settings: LeadflowSettings, databaseURL: String, logger: Logger) async throws -> LocalEngine {
        let database = try PostgresClient(configuration: .init(url: databaseURL), maxConnections: 8, logger: logger)
        let context = try ZMQContext(ioThreads: 1)
        let publisher = try await TelemetryPublisher.start(
            context: context, configuration: settings.telemetry, logger: logger.named("telemetry"))
        func telemetry(_ component: String) -> Telemetry {
            Telemetry(component: component, publisher: publisher, gaugeInterval: settings.telemetry.gaugeInterval)
        }
        // Measured, each service's round trips go to a pool of its own, reported under its component; the
        // scheduler always has its own, for its session settings.
        func pool(_ component: String, _ size: Int, sessionSettings: [String: String] = [:]) throws -> PostgresClient {
            guard publisher != nil || !sessionSettings.isEmpty else { return database }
            return try PostgresClient(
                configuration: .init(url: databaseURL, sessionSettings: sessionSettings), maxConnections: size,
                logger: logger, observer: publisher == nil ? nil : telemetry(component).databaseObserver)
        }
        let ingestDatabase = try pool(TelemetryComponent.ingest, 4)
        let schedulerDatabase = try pool(
            TelemetryComponent.scheduler, 6, sessionSettings: settings.scheduler.sessionSettings)
        let ingest = try await IngestService.start(
            configuration: settings.ingest, database: ingestDatabase, context: context, logger: logger.named("ingest"),
            telemetry: telemetry(TelemetryComponent.ingest))
        var scheduler = settings.scheduler
        let instance = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        for type in ActionType.external { scheduler.dispatchEndpoints[type] = "inproc://leadflow-\(instance)-\(type.rawValue)" }
        scheduler.resultsEndpoint = "inproc://leadflow-\(instance)-results"
        if let receipts = scheduler.receiptsEndpoint, !receipts.isEmpty {
            scheduler.receiptsEndpoint = "inproc://leadflow-\(instance)-receipts"
        }
        let schedulerService = try await SchedulerService.start(
            configuration: scheduler, database: schedulerDatabase, context: context, logger: logger.named("scheduler"),
            telemetry: telemetry(TelemetryComponent.scheduler))
        // One transfer thread for every handler that delivers over the network; none with log drivers only.
        let networked = settings.handlers.values.filter(\.needsCurl)
        let curl = networked.isEmpty ? nil : CurlMulti(maxConcurrent: networked.map(\.maxInFlight).max() ?? 64)
        var handlers: [HandlerService] = []
        var drivers: [any DeliveryDriver] = []
        for type in ActionType.external {
            guard let handler = settings.handlers[type], let endpoint = scheduler.dispatchEndpoints[type] else { continue }
            // Opt-outs come from the ingest in this process, when its events have a fixed endpoint to connect to.
            let events = settings.ingest.eventsEndpoint.map { [$0] }?.filter { !$0.isEmpty && !$0.contains("*") } ?? []
            var configuration = handler.serviceConfiguration(
                dispatchEndpoints: [endpoint], resultEndpoints: [scheduler.resultsEndpoint], eventEndpoints: events,
                shutdownTimeout: settings.shutdownTimeout, lease: settings.scheduler.lease)
            configuration.receiptEndpoints = [scheduler.receiptsEndpoint].compactMap { $0 }.filter { !$0.isEmpty }
                .map { .connect($0) }
            let handlerLogger = logger.named("handler.\(type.rawValue)")
            let driver = try handler.makeDriver(curl: curl, logger: handlerLogger)
            drivers.append(driver)
            handlers.append(
                try await HandlerService.start(
                    context: context, configuration: configuration, driver: driver, logger: handlerLogger,
                    telemetry: telemetry(TelemetryComponent.handler(type.rawValue))))
        }
        return LocalEngine(
            ingest: ingest, scheduler: schedulerService, handlers: handlers, database: database, context: context,
            telemetryPublisher: publisher,
            servicePools: [ingestDatabase, schedulerDatabase].filter { $0 !== database }, curl: curl,
            drivers: drivers, logger: logger)
    }

    /// Starts the engine, runs `body` while every service serves, then shuts down and waits until the engine
    /// has stopped — also when `body` throws.
    public static func withRunning<T: Sendable>(
        settings: LeadflowSettings, databaseURL: String, logger: Logger, _ body: (LocalEngine) async throws -> T
    ) async throws -> T {
        let engine = try await start(settings: settings, databaseURL: databaseURL, logger: logger)
        let running = Task { try await engine.run() }
        let value: T
        do {
            value = try await body(engine)
        } catch {
            engine.shutdown()
            _ = await running.result
            throw error
        }
        engine.shutdown()
        try await running.value
        return value
    }

    /// The endpoint clients publish to (a `tcp://…:*` port resolved).
    public func ingestEndpoint() async throws -> String { try await ingest.boundEndpoint() }

    /// Runs every service until ``shutdown()``; then ingest stops taking messages, the scheduler stops
    /// claiming, handlers finish what they hold, and the database pool and sockets close.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.ingest.run() }
            group.addTask { try await self.scheduler.run() }
            group.addTask {
                // Handlers drain before the scheduler stops taking their results.
                try await withThrowingTaskGroup(of: Void.self) { handlerGroup in
                    for handler in self.handlers { handlerGroup.addTask { try await handler.run() } }
                    try await handlerGroup.waitForAll()
                }
                self.scheduler.shutdown()
            }
            try await group.waitForAll()
        }
        for driver in drivers { await driver.shutdown() }
        await curl?.shutdown()
        for pool in servicePools { await pool.shutdown() }
        await database.shutdown()
        await telemetryPublisher?.close()
        context.shutdown()
    }

    /// Stops taking work everywhere; ``run()`` returns once handlers have drained and results are applied.
    public func shutdown() {
        ingest.shutdown()
        scheduler.stopClaiming()
        for handler in handlers { handler.shutdown() }
    }
}

extension Logger {
    func named(_ component: String) -> Logger {
        var logger = self
        logger[metadataKey: "component"] = "\(component)"
        return logger
    }
}
