import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A private, throwaway PostgreSQL cluster in a local folder, for `leadflow dev` and the tests.
///
/// The folder holds `data/` (created by `initdb` on first start and reused afterwards), `socket/` (the unix
/// socket directory) and `postgres.log`. The server listens on 127.0.0.1 only, with trust authentication for
/// the `postgres` superuser. When this process is root, every program runs as the `postgres` user and the
/// folder is handed to it. Operations block in child processes, so they run on threads of their own.
public final class LocalPostgresCluster: Sendable {
    /// How the cluster is created and started.
    public struct Options: Sendable {
        /// The TCP port; `nil` picks a free one (and another one should that be taken at start).
        public var port: Int?
        /// `false` turns off fsync and friends: much faster, and a crash may lose the data. Tests want that.
        public var durable: Bool = true
        /// The superuser `initdb` creates and the URL names.
        public var superuser: String = "postgres"
        /// Where `initdb` and `pg_ctl` are; `nil` asks `pg_config --bindir`, then /usr/lib/postgresql/*/bin.
        public var binDirectory: String?
        /// Extra server settings, passed as `-c name=value`.
        public var settings: [String: String] = [:]
        /// How long `pg_ctl` may wait for the server to start or stop.
        public var timeout: Duration = .seconds(60)

        public init(
            port: Int? = nil, durable: Bool = true, superuser: String = "postgres", binDirectory: String? = nil,
            settings: [String: String] = [:], timeout: Duration = .seconds(60)
        ) {
            self.port = port
            self.durable = durable
            self.superuser = superuser
            self.binDirectory = binDirectory
            self.settings = settings
            self.timeout = timeout
        }
    }

    struct State {
        var port: Int
        /// Held (shared) while this process uses a cluster started with `startShared()`.
        var sharedLock: Int32?
        /// Found on first use; looking them up runs `pg_config`.
        var binaries: PostgresBinaries?
    }

    /// The cluster's folder: the one asked for, or — when this process is root and the `postgres` user could
    /// not reach that one (a checkout under a private home folder) — a stable folder under /var/tmp.
    public let directory: String
    public let options: Options
    let logger: Logger
    let state: Mutex<State>
    /// Serializes start/stop/restart; only ever taken on threads of our own, never on the cooperative pool.
    let operationLock = NSLock()

    /// Prepares (but does not start) a cluster in `directory`, which is created when missing.
    public init(directory: String, options: Options = Options(), logger: Logger? = nil) throws {
        let requested = URL(fileURLWithPath: directory).standardizedFileURL.path
        let absolute = Self.reachableLocation(for: requested)
        self.directory = absolute
        self.options = options
        self.logger = logger ?? Logger(label: "leadflow.postgres-server", factory: { _ in SwiftLogNoOpLogHandler() })
        if absolute != requested {
            self.logger.notice(
                "the postgres user cannot reach the requested folder; using another",
                metadata: ["postgres.requested": "\(requested)", "postgres.directory": "\(absolute)"])
        }
        // A server already running on this folder (started by another process) decides the port.
        let running = Self.runningServer(dataDirectory: absolute + "/data")
        self.state = Mutex(State(port: try running?.port ?? options.port ?? Self.freePort()))
        // The kernel limits unix socket paths to 107 bytes.
        let socketPath = "\(absolute)/socket/.s.PGSQL.65535"
        guard socketPath.utf8.count < 108 else {
            throw LocalPostgresClusterError(
                code: .invalidDirectory,
                message: "the folder path is too long for a unix socket inside it (\(socketPath.utf8.count) bytes, "
                    + "the limit is 107); use a shorter folder")
        }
        guard !absolute.contains("'") else {
            throw LocalPostgresClusterError(code: .invalidDirectory, message: "the folder path must not contain a quote")
        }
    }

    public var dataDirectory: String { directory + "/data" }
    public var socketDirectory: String { directory + "/socket" }
    public var logFile: String { directory + "/postgres.log" }
    public var port: Int { state.withLock { $0.port } }

    /// A URL to the `postgres` database over TCP on 127.0.0.1.
    public var url: String { "postgres://\(options.superuser)@127.0.0.1:\(port)/postgres" }

    /// A URL to the `postgres` database over the unix socket in the folder.
    public var socketURL: String {
        let path = socketDirectory.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? socketDirectory
        return "postgres://\(options.superuser)@/postgres?host=\(path)&port=\(port)"
    }

    /// Whether a server is running on this folder's data directory (by any process), judged from its pid file.
    public var isRunning: Bool { runningServer() != nil }

    /// Initializes the folder if needed and starts the server; adopts (and reports the port of) a server that is
    /// already running on it, for example one left by a crashed process.
    public func start() async throws {
        try await runOnOwnThread { try self.locked { try self.startBlocking() } }
    }

    /// Stops the server: by default a fast shutdown (sessions are disconnected, work is rolled back), falling
    /// back to an immediate one; `.immediate` is a crash as far as clients and the data directory can tell.
    /// Does nothing when it is not running.
    public func stop(mode: ShutdownMode = .fast) async throws {
        try await runOnOwnThread { try self.locked { try self.stopBlocking(mode: mode) } }
    }

    /// Stops (see ``stop(mode:)``) and starts the server on the same port, as a database restart in
    /// production would.
    public func restart(mode: ShutdownMode = .fast) async throws {
        try await runOnOwnThread {
            try self.locked {
                try self.stopBlocking(mode: mode)
                try self.startBlocking()
            }
        }
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        operationLock.lock()
        defer { operationLock.unlock() }
        return try body()
    }

    func startBlocking() throws {
        let runner = try CommandRunner()
        let binaries = try binaries(runner)
        try prepareDirectory(runner)
        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            try initialize(binaries, runner)
        }
        if let running = runningServer() {
            state.withLock { $0.port = running.port }
            logger.info("reusing running PostgreSQL", metadata: ["postgres.pid": "\(running.pid)", "postgres.port": "\(running.port)"])
            return
        }
        for attempt in 1...3 {
            let port = self.port
            let result = try runner.run(binaries.pgCtl, startArguments(port: port))
            if result.status == 0 {
                logger.info("started PostgreSQL", metadata: ["postgres.port": "\(port)", "postgres.directory": "\(directory)"])
                return
            }
            let log = logTail()
            // Another process may have taken the port between picking and binding it.
            if options.port == nil, attempt < 3, log.contains("could not bind") || log.contains("Address already in use") {
                let next = try Self.freePort()
                state.withLock { $0.port = next }
                logger.notice("port taken, retrying", metadata: ["postgres.port": "\(port)", "postgres.next_port": "\(next)"])
                continue
            }
            throw LocalPostgresClusterError(
                code: .startFailed,
                message: "pg_ctl start failed (exit \(result.status)): \(result.output.suffix(2000)) \nserver log:\n\(log)")
        }
    }

    func stopBlocking(mode requested: ShutdownMode = .fast) throws {
        guard runningServer() != nil else { return }
        let runner = try CommandRunner()
        let binaries = try binaries(runner)
        var output = ""
        for mode in requested.attempts {
            let result = try runner.run(
                binaries.pgCtl, ["-D", dataDirectory, "-m", mode.rawValue, "-w", "-t", timeoutSeconds, "stop"])
            if result.status == 0, runningServer() == nil {
                logger.info("stopped PostgreSQL", metadata: ["postgres.mode": "\(mode)"])
                return
            }
            output += result.output
            logger.warning("pg_ctl stop failed", metadata: ["postgres.mode": "\(mode)", "postgres.output": "\(result.output)"])
        }
        throw LocalPostgresClusterError(code: .stopFailed, message: "pg_ctl stop failed: \(output.suffix(2000))")
    }

    private func binaries(_ runner: CommandRunner) throws -> PostgresBinaries {
        if let known = state.withLock({ $0.binaries }) { return known }
        let found = try PostgresBinaries.locate(preferred: options.binDirectory, runner: runner)
        state.withLock { $0.binaries = found }
        return found
    }

    private var timeoutSeconds: String {
        String(max(1, options.timeout.components.seconds))
    }

    private func startArguments(port: Int) -> [String] {
        var settings = ["listen_addresses": "127.0.0.1", "unix_socket_directories": socketDirectory]
        if !options.durable {
            // A throwaway test cluster trades crash safety for speed.
            settings["fsync"] = "off"
            settings["synchronous_commit"] = "off"
            settings["full_page_writes"] = "off"
        }
        settings.merge(options.settings) { _, new in new }
        // pg_ctl hands -o to a shell, so every setting is single-quoted there (quotes inside are dropped).
        var serverOptions = "-p \(port)"
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
            serverOptions += " -c '\(name)=\(value.replacingOccurrences(of: "'", with: ""))'"
        }
        return ["-D", dataDirectory, "-l", logFile, "-w", "-t", timeoutSeconds, "-o", serverOptions, "start"]
    }

    private func prepareDirectory(_ runner: CommandRunner) throws {
        do {
            try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        } catch {
            throw LocalPostgresClusterError(code: .invalidDirectory, message: "cannot create \(socketDirectory): \(error)")
        }
        if !FileManager.default.fileExists(atPath: logFile) {
            _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        }
        for path in [directory, socketDirectory, logFile] { runner.handOver(path) }
    }

    private func initialize(_ binaries: PostgresBinaries, _ runner: CommandRunner) throws {
        var arguments = [
            "-D", dataDirectory, "-U", options.superuser, "--auth=trust", "--encoding=UTF8", "--locale=C",
        ]
        if !options.durable { arguments.append("--no-sync") }
        let result = try runner.run(binaries.initdb, arguments)
        guard result.status == 0 else {
            // A half-initialized data directory would be mistaken for a usable one next time.
            try? FileManager.default.removeItem(atPath: dataDirectory)
            var hint = ""
            if runner.serviceUser != nil {
                hint = " (running as root: every parent folder of \(directory) must be searchable by the postgres user)"
            }
            throw LocalPostgresClusterError(
                code: .initdbFailed, message: "initdb failed (exit \(result.status))\(hint): \(result.output.suffix(2000))")
        }
        logger.info("initialized PostgreSQL data directory", metadata: ["postgres.directory": "\(dataDirectory)"])
    }

    func runningServer() -> (pid: Int32, port: Int)? {
        Self.runningServer(dataDirectory: dataDirectory)
    }

    /// The pid and port from `postmaster.pid`, if that process is alive (and not a zombie).
    static func runningServer(dataDirectory: String) -> (pid: Int32, port: Int)? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8) else {
            return nil
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 3, let pid = Int32(lines[0].trimmingCharacters(in: .whitespaces)), pid > 0,
            let port = Int(lines[3].trimmingCharacters(in: .whitespaces))
        else { return nil }
        guard kill(pid, 0) == 0 || errno == EPERM else { return nil }
        // An exited postmaster nobody reaped still answers kill(0); /proc tells zombies apart.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"),
            stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
        {
            return nil
        }
        return (pid, port)
    }

    private func logTail() -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> Int {
        #if canImport(Darwin)
        let socketType = SOCK_STREAM
        #else
        let socketType = Int32(SOCK_STREAM.rawValue)
        #endif
        let descriptor = socket(AF_INET, socketType, 0)
        guard descriptor >= 0 else {
            throw LocalPostgresClusterError(code: .startFailed, message: "socket() failed: errno \(errno)")
        }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            throw LocalPostgresClusterError(code: .startFailed, message: "cannot find a free port: errno \(errno)")
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
