import ArgumentParser
import PostgresServer

/// `leadflow postgres …`: a private PostgreSQL cluster in a local folder, for development and the tests.
struct PostgresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "Manage a private PostgreSQL cluster in a local folder (development and tests).",
        subcommands: [Start.self, Stop.self, URL.self])

    struct Location: ParsableArguments {
        @Option(help: "The cluster's folder (created and initialised on first start).")
        var directory = ".leadflow/postgres"

        @Option(help: "TCP port on 127.0.0.1 (default: a free one).")
        var port: Int?

        @Flag(help: "Turn off fsync: much faster, and a crash may lose data. For tests.")
        var fast = false

        @Option(help: "The server's max_connections (every service keeps a small pool; parallel tests open many).")
        var maxConnections = 300

        func validate() throws {
            if let port, !(1...65535).contains(port) { throw ValidationError("--port must be between 1 and 65535") }
            if directory.isEmpty { throw ValidationError("--directory must not be empty") }
            if !(10...10_000).contains(maxConnections) {
                throw ValidationError("--max-connections must be between 10 and 10000")
            }
        }

        /// Runs `body` with `given` as the server URL, or with this private cluster started for it (`isPrivate`)
        /// and stopped afterwards, also when `body` throws.
        func withServer<T>(
            given: String?, _ body: (_ url: String, _ isPrivate: Bool) async throws -> T
        ) async throws -> T {
            if let given { return try await body(given, false) }
            let local = try cluster()
            try await local.start()
            let value: T
            do {
                value = try await body(local.url, true)
            } catch {
                try? await local.stop()
                throw error
            }
            try await local.stop()
            return value
        }

        func cluster() throws -> LocalPostgresCluster {
            var options = LocalPostgresCluster.Options()
            options.port = port
            options.durable = !fast
            options.settings["max_connections"] = String(maxConnections)
            return try LocalPostgresCluster(directory: directory, options: options, logger: CLILogging.logger("postgres"))
        }
    }

    /// Starts the cluster (initialising it first when new) and prints its URL.
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the cluster and print its connection URL on stdout.")
        @OptionGroup var location: Location

        func run() async throws {
            let cluster = try location.cluster()
            try await cluster.start()
            print(cluster.url)
        }
    }

    /// Stops the cluster if it runs.
    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the cluster.")
        @OptionGroup var location: Location

        @Option(help: "fast (sessions rolled back, then a checkpoint) or immediate (as a crash; recovered at start).")
        var mode: LocalPostgresCluster.ShutdownMode = .fast

        func run() async throws { try await location.cluster().stop(mode: mode) }
    }

    /// Prints the URL of a running cluster.
    struct URL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the URL of the running cluster.")
        @OptionGroup var location: Location

        func run() async throws {
            let cluster = try location.cluster()
            guard cluster.isRunning else {
                throw CLIError("no cluster runs in \(location.directory); start it with: leadflow postgres start")
            }
            print(cluster.url)
        }
    }
}

extension LocalPostgresCluster.ShutdownMode: ExpressibleByArgument {}
