import ArgumentParser
import Foundation
import LeadflowAdmin
import LeadflowConfig
import Postgres

/// `leadflow admin`: the admin HTTP API (docs/admin-api.md), and its tokens.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Run the admin HTTP API (dead letters, organization limits, tokens, audit), or manage its tokens.",
        subcommands: [AdminServeCommand.self, AdminTokenCommand.self],
        defaultSubcommand: AdminServeCommand.self)
}

/// `leadflow admin [serve]`: the service, until SIGTERM or SIGINT.
struct AdminServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the admin HTTP API (openapi/admin.yaml) until SIGTERM or SIGINT (the default of leadflow admin).",
        discussion: """
            Requests take a bearer token made with `leadflow admin token create`. /healthz and /readyz take none. \
            The database must be migrated (leadflow migrate); /readyz answers 503 until it is.

            \(ConfigOptions.discussion)
            """)

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let settings = try options.settings()
        guard let databaseURL = settings.databaseURL else {
            throw ValidationError("no database: set --database-url, DATABASE_URL or database.url")
        }
        let logger = CLILogging.logger("admin")
        let database = try PostgresClient(
            configuration: .init(url: databaseURL.revealed, applicationName: "leadflow-admin"),
            maxConnections: settings.admin.databaseConnections, logger: logger)
        let result = await Result(catching: {
            let service = try AdminService(configuration: settings.admin, database: database, logger: logger)
            try await ServiceProcess.runGroup([service], shutdownTimeout: settings.shutdownTimeout, logger: logger)
        })
        await database.shutdown()
        if case .failure(let error as AdminService.CannotListen) = result { throw CLIError(error.description) }
        try result.get()
    }
}
