import ArgumentParser
import LeadflowIngest
import LeadflowScheduler
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
        try await ServiceProcess.run(databaseURL: settings.databaseURL, logger: logger) { database, context in
            [try await IngestService.start(configuration: settings.ingest, database: database, context: context, logger: logger)]
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
        try await ServiceProcess.run(databaseURL: settings.databaseURL, logger: logger) { database, context in
            [try await SchedulerService.start(
                configuration: settings.scheduler, database: database, context: context, logger: logger)]
        }
    }
}

/// How a service command runs: one database pool and ZeroMQ context, its services in a `ServiceGroup` that
/// shuts down gracefully on SIGTERM or SIGINT.
enum ServiceProcess {
    static let drainTime: Duration = .seconds(30)

    static func run(
        databaseURL: String?, logger: Logger,
        services: (PostgresClient, ZMQContext) async throws -> [any Service]
    ) async throws {
        guard let databaseURL else {
            throw ValidationError("no database: set --database-url, DATABASE_URL or database.url")
        }
        let database = try PostgresClient(configuration: .init(url: databaseURL), maxConnections: 8, logger: logger)
        let context = try ZMQContext()
        do {
            let group = ServiceGroup(
                configuration: .init(
                    services: try await services(database, context).map { .init(service: $0) },
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } catch {
            await database.shutdown()
            context.shutdown()
            throw error
        }
        await database.shutdown()
        context.shutdown()
    }
}
