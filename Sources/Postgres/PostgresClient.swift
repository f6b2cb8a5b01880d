import Logging
import Synchronization

/// A small pool of `PostgresConnection`s, opened lazily up to `maxConnections`, that lends one connection at a
/// time to a caller.
///
/// Connections heal themselves (they reconnect on the next call after a loss), so the pool needs no health
/// checks; it only makes sure a returned connection is outside any transaction.
public final class PostgresClient: Sendable {
    typealias StateMachine = PostgresPoolStateMachine<PostgresConnection, Int>

    private struct State {
        var machine: StateMachine
        var continuations: [Int: CheckedContinuation<StateMachine.Grant, any Error>] = [:]
        var nextWaiter = 0
    }

    public let configuration: PostgresConfiguration
    public let maxConnections: Int
    private let logger: Logger
    private let observer: (any PostgresRoundTripObserver)?
    private let state: Mutex<State>

    /// Validates the configuration; no connection is opened until the first use. Every connection of the pool
    /// reports its round trips to `observer`.
    public init(
        configuration: PostgresConfiguration, maxConnections: Int = 4, logger: Logger? = nil,
        observer: (any PostgresRoundTripObserver)? = nil
    ) throws(PostgresError) {
        try configuration.validate()
        guard maxConnections > 0 else {
            throw PostgresError(kind: .configuration, message: "a pool needs at least 1 connection, got \(maxConnections)")
        }
        self.configuration = configuration
        self.maxConnections = maxConnections
        self.logger = logger ?? .postgresNoop
        self.observer = observer
        self.state = Mutex(State(machine: StateMachine(maximum: maxConnections)))
    }

    /// Lends a connection to `body` and takes it back afterwards, even when `body` throws.
    public func withConnection<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        let connection = try await lease()
        do {
            let value = try await body(connection)
            await giveBack(connection)
            return value
        } catch {
            await giveBack(connection)
            throw error
        }
    }

    /// Runs `body` in a transaction on a pooled connection.
    public func withTransaction<T: Sendable>(
        _ body: @Sendable (isolated PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection { connection in try await connection.withTransaction(body) }
    }

    /// Runs one statement on a pooled connection.
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresRows {
        try await withConnection { connection in try await connection.query(sql, parameters) }
    }

    /// Runs one statement on a pooled connection and returns the number of affected rows.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
        try await withConnection { connection in try await connection.execute(sql, parameters) }
    }

    /// Closes idle connections and fails waiting callers; connections still lent out close when returned.
    public func shutdown() async {
        let (closing, failing) = state.withLock { state in
            let (closing, failing) = state.machine.shutDown()
            return (closing, failing.compactMap { state.continuations.removeValue(forKey: $0) })
        }
        for continuation in failing {
            continuation.resume(throwing: PostgresError(kind: .closed, message: "the pool was shut down"))
        }
        for connection in closing { await connection.close() }
    }

    private func lease() async throws -> PostgresConnection {
        let waiter = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        let grant = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<StateMachine.Grant, any Error>) in
                let action: StateMachine.LeaseAction? = state.withLock { state in
                    // Checked under the lock, so a cancellation either happened before (we never queue) or
                    // its handler runs after and finds the waiter to remove.
                    if Task.isCancelled { return nil }
                    let action = state.machine.lease(waiter)
                    if case .wait = action { state.continuations[waiter] = continuation }
                    return action
                }
                switch action {
                case nil: continuation.resume(throwing: CancellationError())
                case .use(let connection): continuation.resume(returning: .connection(connection))
                case .create: continuation.resume(returning: .create)
                case .wait: break
                case .fail:
                    continuation.resume(throwing: PostgresError(kind: .closed, message: "the pool was shut down"))
                }
            }
        } onCancel: {
            let continuation = state.withLock { state in
                state.machine.cancel(waiter) ? state.continuations.removeValue(forKey: waiter) : nil
            }
            continuation?.resume(throwing: CancellationError())
        }
        switch grant {
        case .connection(let connection):
            return connection
        case .create:
            do {
                return try await PostgresConnection.connect(configuration: configuration, logger: logger, observer: observer)
            } catch {
                perform(state.withLock { $0.machine.creationFailed() })
                throw error
            }
        }
    }

    private func giveBack(_ connection: PostgresConnection) async {
        // A caller that ran BEGIN by hand and left must not hand its transaction to the next caller.
        let reusable = await connection.resetForReuse()
        let action = state.withLock { state in
            reusable ? state.machine.release(connection) : state.machine.discard()
        }
        if !reusable { await connection.close() }
        if case .close(let connection) = action { await connection.close() }
        perform(action)
    }

    /// Resumes the waiter an action names; closing is done by the caller, which can await.
    private func perform(_ action: StateMachine.ReleaseAction?) {
        guard case .grant(let waiter, let grant) = action else { return }
        let continuation = state.withLock { $0.continuations.removeValue(forKey: waiter) }
        continuation?.resume(returning: grant)
    }
}

extension PostgresConnection {
    /// Rolls back a transaction left open; `false` when the connection is closed and should be discarded.
    func resetForReuse() -> Bool {
        guard !isClosed, handle != nil else { return false }
        guard transactionDepth == 0, isConnected, !isIdle else { return true }
        do {
            try executeScript("ROLLBACK")
            return true
        } catch {
            return false
        }
    }
}
