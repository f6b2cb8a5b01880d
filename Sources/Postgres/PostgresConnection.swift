import CLibPQ
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One PostgreSQL session, confined to a dedicated thread, that reconnects on the next call after it was lost.
///
/// Every libpq call blocks, so the actor runs on its own `ConnectionThread` instead of Swift's cooperative pool.
/// Statements are synchronous inside the actor: call them with `await` from outside, and without it inside
/// `withTransaction`, whose body runs on the connection's thread with nothing interleaved.
public actor PostgresConnection {
    private static let nextID = Atomic<Int>(1)

    private nonisolated let thread: ConnectionThread
    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    public nonisolated let configuration: PostgresConfiguration
    /// A process-unique number, in every log line of this connection as `postgres.connection`.
    public nonisolated let id: Int
    let parameters: ConnectionParameters
    let logger: Logger
    nonisolated let wakeup = WakeupPipe()
    private let notices: NoticeSink

    /// The libpq `PGconn`; only touched on `thread`.
    var handle: OpaquePointer?
    var isClosed = false
    /// Set after a failure that leaves libpq mid-protocol (an unsupported COPY), so the next call starts over.
    var mustReset = false
    var transactionDepth = 0
    /// Re-issued after every reconnect, in the order they were first issued.
    var listenChannels: [String] = []
    /// Statement name to SQL for what this session has prepared; emptied by a reconnect.
    var preparedStatements: [String: String] = [:]
    /// Statement name to the parameter types it was prepared with (which fix how the server reads binary values).
    var preparedTypes: [String: [UInt32]] = [:]

    /// Told about every statement's round trip; nil: nothing is timed.
    nonisolated let observer: (any PostgresRoundTripObserver)?
    /// Statements sent on this session so far (prepared, unnamed and scripts, including `BEGIN`/`COMMIT`), for
    /// counting what one operation ran: read it before and after.
    public internal(set) var roundTrips = 0

    /// The server process serving this session, as in `pg_stat_activity.pid`.
    public private(set) var backendPID: Int32 = 0
    /// How many times the session was re-established after it was lost.
    public private(set) var reconnectCount = 0

    private init(
        configuration: PostgresConfiguration, parameters: ConnectionParameters, logger: Logger,
        observer: (any PostgresRoundTripObserver)?
    ) {
        self.observer = observer
        let id = Self.nextID.add(1, ordering: .relaxed).oldValue
        self.id = id
        self.thread = ConnectionThread(name: "pg-conn-\(id)")
        self.configuration = configuration
        self.parameters = parameters
        var logger = logger
        logger[metadataKey: PostgresLogKey.connection] = "\(id)"
        self.logger = logger
        self.notices = NoticeSink(logger: logger)
    }

    // Isolated, so PQfinish runs on the connection's own thread like every other libpq call.
    isolated deinit {
        if let handle { PQfinish(handle) }
        thread.shutdown()
    }

    /// Opens a session; throws `.configuration` for an invalid configuration and `.connection` when the server
    /// cannot be reached. `observer` is told about every statement's round trip.
    public static func connect(
        configuration: PostgresConfiguration, logger: Logger? = nil, observer: (any PostgresRoundTripObserver)? = nil
    ) async throws(PostgresError) -> PostgresConnection {
        let parameters = try configuration.connectionParameters()
        let connection = PostgresConnection(
            configuration: configuration, parameters: parameters, logger: logger ?? .postgresNoop, observer: observer)
        try await connection.open()
        return connection
    }

    /// Opens a session to `url` with default settings.
    public static func connect(url: String, logger: Logger? = nil) async throws(PostgresError) -> PostgresConnection {
        try await connect(configuration: PostgresConfiguration(url: url), logger: logger)
    }

    /// Opens a session, runs `body` with it, and closes it afterwards, also when `body` throws.
    public static func withConnection<T>(
        configuration: PostgresConfiguration, logger: Logger? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        let connection = try await connect(configuration: configuration, logger: logger)
        do {
            let value = try await body(connection)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    private func open() throws(PostgresError) {
        let pairs = parameters.pairs
        let connection = withCStringArray(pairs.map(\.0) + [nil]) { keywords in
            withCStringArray(pairs.map(\.1) + [nil]) { values in
                PQconnectdbParams(keywords, values, 0)
            }
        }
        guard let connection else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = connectionError(connection, "could not connect to \(parameters.redactedURL)")
            PQfinish(connection)
            throw error
        }
        handle = connection
        do {
            try setUpSession(connection)
        } catch {
            PQfinish(connection)
            handle = nil
            throw error
        }
        logger.debug(
            "connected", metadata: [PostgresLogKey.url: "\(parameters.redactedURL)", PostgresLogKey.backendPID: "\(backendPID)"])
    }

    /// Applies what the wrapper relies on to every new session, and restores its LISTENs.
    private func setUpSession(_ connection: OpaquePointer) throws(PostgresError) {
        PQsetNoticeProcessor(
            connection,
            { context, message in
                guard let context, let message else { return }
                Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue().log(String(cString: message))
            }, Unmanaged.passUnretained(notices).toOpaque())
        backendPID = PQbackendPID(connection)
        preparedStatements = [:]
        preparedTypes = [:]
        // Decoding relies on ISO dates, round-trippable floats and hex bytea, whatever the server defaults are.
        var script =
            "SET DateStyle TO ISO, MDY; SET TimeZone TO 'UTC'; SET IntervalStyle TO postgres; "
            + "SET extra_float_digits TO 3; SET bytea_output TO hex;"
        for channel in listenChannels { script += " LISTEN \(Self.quoteIdentifier(channel));" }
        try simpleQuery(connection, script)
    }

    /// Closes the session; later calls throw a `.closed` error. Idempotent.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        if let handle {
            PQfinish(handle)
            self.handle = nil
            logger.debug("closed")
        }
    }

    /// Whether libpq currently considers the session healthy (without a round trip).
    public var isConnected: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Whether the session is idle outside a transaction, as a pooled connection must be when it is returned.
    public var isIdle: Bool {
        guard let handle else { return false }
        return PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// Re-establishes a lost session (`PQreset`), re-applies session settings and LISTENs, and forgets prepared
    /// statements so they are prepared again on next use. Calls reconnect by themselves when needed; this is
    /// for callers that want to do it eagerly, such as after `waitForNotifications` threw.
    public func reconnect() throws(PostgresError) {
        guard !isClosed, let handle else {
            throw PostgresError(kind: .closed, message: "the connection was closed")
        }
        guard transactionDepth == 0 else {
            throw PostgresError(kind: .misuse, message: "cannot reconnect inside withTransaction")
        }
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw connectionError(handle, "could not reconnect to \(parameters.redactedURL)")
        }
        mustReset = false
        reconnectCount += 1
        do {
            try setUpSession(handle)
        } catch {
            // A half set-up session (say, without its LISTENs) must not be used; start over next time.
            mustReset = true
            throw error
        }
        logger.info(
            "reconnected",
            metadata: [
                PostgresLogKey.backendPID: "\(backendPID)", "postgres.listen_channels": "\(listenChannels.count)",
            ])
    }

    /// The live handle, reconnecting first when the session was lost while idle.
    ///
    /// Reconnecting here is safe because nothing of the coming call has been sent yet. Inside a transaction it
    /// is not: the transaction is gone, so the call fails and the next call after `withTransaction` reconnects.
    func liveHandle() throws(PostgresError) -> OpaquePointer {
        guard !isClosed, let handle else {
            throw PostgresError(kind: .closed, message: "the connection was closed")
        }
        if !mustReset, PQstatus(handle) == CONNECTION_OK, !peerHasGoneAway(handle) {
            return handle
        }
        guard transactionDepth == 0 else {
            throw PostgresError(kind: .connection, message: "the connection was lost inside a transaction")
        }
        try reconnect()
        return handle
    }

    /// Reads whatever the server sent while the session was idle; a server restart or a terminated backend
    /// leaves an error message and end-of-file there, which is how a lost session is noticed before use.
    private func peerHasGoneAway(_ handle: OpaquePointer) -> Bool {
        let socket = PQsocket(handle)
        guard socket >= 0 else { return true }
        // Bounded, so a stream of incoming notifications cannot keep us here.
        for _ in 0..<4 {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 0)
            guard ready > 0 else { return false }
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
                logger.warning("connection lost while idle", metadata: ["postgres.error": "\(lastErrorMessage(handle))"])
                return true
            }
        }
        return false
    }

    /// Runs a parameterless script through the simple query protocol, which allows several statements.
    func simpleQuery(_ handle: OpaquePointer, _ sql: String) throws(PostgresError) {
        let result = PQexec(handle, sql)
        _ = try consume(result, handle)
    }

    func lastErrorMessage(_ handle: OpaquePointer) -> String {
        let raw = PQerrorMessage(handle).map { String(cString: $0) } ?? ""
        // libpq messages span lines with tabs; logs and error descriptions want one line.
        let oneLine = raw.split(whereSeparator: { $0 == "\n" || $0 == "\t" }).joined(separator: " ")
        return parameters.scrub(oneLine.isEmpty ? "unknown libpq error" : oneLine)
    }

    func connectionError(_ handle: OpaquePointer, _ context: String) -> PostgresError {
        PostgresError(kind: .connection, message: "\(context): \(lastErrorMessage(handle))")
    }

    static func quoteIdentifier(_ identifier: String) -> String {
        "\"" + identifier.replacing("\"", with: "\"\"") + "\""
    }
}

/// Routes server notices (such as "relation already exists, skipping") to the injected logger instead of
/// libpq's default of writing them to stderr.
final class NoticeSink: Sendable {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }

    func log(_ message: String) {
        logger.debug("server notice", metadata: ["postgres.notice": "\(message.trimmingSuffix(while: \.isNewline))"])
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[..<end]
    }
}
