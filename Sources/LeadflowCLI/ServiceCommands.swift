import ArgumentParser
import LeadflowConfig
import LeadflowCurve
import LeadflowIngest
import LeadflowScheduler
import LeadflowSecrets
import LeadflowTelemetry
import Logging
import Postgres
import ServiceLifecycle
import ZeroMQ

/// `leadflow ingest`: the ingest service alone.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Run the ingest service (ROUTER for clients, PUB for lead events).",
        discussion: ConfigOptions.discussion)

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let settings = try options.settings()
        let logger = CLILogging.logger("ingest")
        try await ServiceProcess.run(
            settings: settings, component: TelemetryComponent.ingest, binds: settings.ingestBinds, logger: logger
        ) { database, context, telemetry, authenticator in
            [try await IngestService.start(
                configuration: settings.ingest, database: database, context: context, logger: logger, telemetry: telemetry,
                security: settings.bus, authenticator: authenticator)]
        }
    }
}

/// `leadflow scheduler`: one scheduler; run several against one database for availability.
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler", abstract: "Run a scheduler (claims due actions, dispatches, applies results).",
        discussion: ConfigOptions.discussion)

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let settings = try options.settings()
        let logger = CLILogging.logger("scheduler")
        try await ServiceProcess.run(
            settings: settings, component: TelemetryComponent.scheduler, binds: settings.schedulerBinds,
            sessionSettings: settings.scheduler.sessionSettings, logger: logger
        ) { database, context, telemetry, _ in
            [try await SchedulerService.start(
                configuration: settings.scheduler, database: database, context: context, logger: logger,
                telemetry: telemetry, socketOptions: settings.bus.bindOptions)]
        }
    }
}

/// How a service command runs: one database pool, ZeroMQ context (with its CURVE ZAP handler when `bus.*`
/// turns CURVE on) and telemetry publisher, its services in a `ServiceGroup` that shuts down gracefully on
/// SIGTERM or SIGINT.
enum ServiceProcess {
    /// What a service gets beyond `service.shutdown_timeout` to report what it drained and close its sockets
    /// (a handler flushes results for up to 5 s) before the group cancels it.
    static let closingTime: Duration = .seconds(10)

    static func run(
        settings: LeadflowSettings, component: String, binds: [LeadflowSettings.Bind],
        sessionSettings: [String: String] = [:], logger: Logger,
        services: (PostgresClient, ZMQContext, Telemetry, BusAuthenticator?) async throws -> [any Service]
    ) async throws {
        guard let databaseURL = settings.databaseURL else {
            throw ValidationError("no database: set --database-url, DATABASE_URL or database.url")
        }
        try settings.checkBinds(binds)
        let context = try ZMQContext()
        let result = await Result(catching: {
            try await withAuthenticator(settings: settings, context: context, logger: logger) { authenticator in
                try await withTelemetry(settings: settings, component: component, context: context, logger: logger) {
                    telemetry in
                    let database = try PostgresClient(
                        configuration: .init(url: databaseURL.revealed, sessionSettings: sessionSettings), maxConnections: 8,
                        logger: logger,
                        observer: telemetry.databaseObserver)
                    let result = await Result(catching: {
                        try await runGroup(
                            try await services(database, context, telemetry, authenticator),
                            shutdownTimeout: settings.shutdownTimeout, logger: logger)
                    })
                    await database.shutdown()
                    try result.get()
                }
            }
        })
        context.shutdown()
        try result.get()
    }

    /// Runs `body` with the context's ZAP handler when the process's sockets are CURVE servers (`nil` in
    /// plaintext), then stops it. A missing or malformed allow-list stops the start here, naming the file.
    static func withAuthenticator(
        settings: LeadflowSettings, context: ZMQContext, logger: Logger,
        _ body: (BusAuthenticator?) async throws -> Void
    ) async throws {
        let authenticator = try await BusAuthenticator.start(context: context, security: settings.bus, logger: logger)
        let result = await Result(catching: { try await body(authenticator) })
        await authenticator?.close()
        try result.get()
    }

    /// Runs `body` with the process's telemetry (`telemetry.*`), then closes its publisher.
    static func withTelemetry(
        settings: LeadflowSettings, component: String, context: ZMQContext, logger: Logger,
        _ body: (Telemetry) async throws -> Void
    ) async throws {
        let publisher = try await TelemetryPublisher.start(
            context: context, configuration: settings.telemetry, logger: logger)
        let telemetry = Telemetry(
            component: component, publisher: publisher, gaugeInterval: settings.telemetry.gaugeInterval)
        let result = await Result(catching: { try await body(telemetry) })
        await publisher?.close()
        try result.get()
    }

    /// Runs `services` until SIGTERM or SIGINT, then lets them drain for `shutdownTimeout` (plus the closing
    /// time) before cancelling them.
    static func runGroup(_ services: [any Service], shutdownTimeout: Duration, logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout + closingTime
        try await ServiceGroup(configuration: configuration).run()
    }
}
