import ArgumentParser
import Dispatch
import Foundation
import LeadflowStore
import PostgresServer

/// `leadflow dev`: everything on one machine, with a private PostgreSQL unless a database is given.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run Leadflow on this machine (private PostgreSQL unless --database-url/DATABASE_URL is set).",
        discussion: """
            Starts a private PostgreSQL cluster in --directory when no database is given, applies the \
            migrations, and runs until interrupted (Ctrl-C or SIGTERM), then stops the private cluster. \
            The cluster's data stays in the folder for the next run.
            """)

    @OptionGroup var database: DatabaseOptions

    @OptionGroup(title: "Private PostgreSQL (when no database is given)")
    var postgres: PostgresCommand.Location

    @Flag(help: "Exit after the database is ready instead of running until interrupted.")
    var setupOnly = false

    func run() async throws {
        let logger = CLILogging.logger("dev")
        var cluster: LocalPostgresCluster?
        let url: String
        if let given = database.resolved {
            url = given
        } else {
            let local = try postgres.cluster()
            try await local.start()
            cluster = local
            url = local.url
            logger.info("private PostgreSQL started", metadata: ["directory": "\(postgres.directory)", "url": "\(url)"])
        }
        do {
            let report = try await Migrator(logger: CLILogging.logger("migrate")).migrate(url: url)
            logger.info("database ready", metadata: ["migrations": "\(report)"])
            print("leadflow dev: database ready (\(report))")
            if cluster != nil { print("leadflow dev: psql \(url)") }
            if !setupOnly {
                print("leadflow dev: running; press Ctrl-C to stop")
                let signal = await Self.waitForTermination()
                logger.info("stopping", metadata: ["signal": "\(signal)"])
            }
        } catch {
            try? await cluster?.stop()
            throw error
        }
        if let cluster, !setupOnly {
            try await cluster.stop()
            logger.info("private PostgreSQL stopped")
        }
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
