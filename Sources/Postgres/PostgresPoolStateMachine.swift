/// The bookkeeping of `PostgresClient` as a pure state machine: each event returns what the caller must do,
/// and the caller does it after releasing its lock. Generic so that tests drive it without any I/O.
struct PostgresPoolStateMachine<Connection, Waiter: Hashable> {
    /// What a caller asking for a connection should do.
    enum LeaseAction {
        case use(Connection)
        /// Open a new connection; a slot is reserved for it.
        case create
        /// The waiter was queued; it will be granted a connection or a slot later.
        case wait
        case fail
    }

    /// What a queued waiter eventually receives.
    enum Grant {
        case connection(Connection)
        case create
    }

    enum ReleaseAction {
        case grant(Waiter, Grant)
        case keepIdle
        case close(Connection)
    }

    let maximum: Int
    private(set) var idle: [Connection] = []
    private(set) var waiters: [Waiter] = []
    /// Connections that exist or are being opened.
    private(set) var open = 0
    private(set) var isShutDown = false

    init(maximum: Int) {
        precondition(maximum > 0, "a pool needs at least one connection")
        self.maximum = maximum
    }

    mutating func lease(_ waiter: Waiter) -> LeaseAction {
        if isShutDown { return .fail }
        if let connection = idle.popLast() { return .use(connection) }
        if open < maximum {
            open += 1
            return .create
        }
        waiters.append(waiter)
        return .wait
    }

    mutating func release(_ connection: Connection) -> ReleaseAction {
        if isShutDown {
            open -= 1
            return .close(connection)
        }
        if !waiters.isEmpty {
            return .grant(waiters.removeFirst(), .connection(connection))
        }
        idle.append(connection)
        return .keepIdle
    }

    /// A connection broke for good and is discarded; its slot goes to a waiter if there is one.
    mutating func discard() -> ReleaseAction? {
        open -= 1
        return handOverSlot()
    }

    /// Opening a connection failed; like a discard, the reserved slot goes to the next waiter, so waiters never
    /// outlive the connections they were waiting for.
    mutating func creationFailed() -> ReleaseAction? { discard() }

    private mutating func handOverSlot() -> ReleaseAction? {
        guard !isShutDown, !waiters.isEmpty else { return nil }
        open += 1
        return .grant(waiters.removeFirst(), .create)
    }

    /// Removes a waiter whose task was cancelled; `false` if it was already granted something.
    mutating func cancel(_ waiter: Waiter) -> Bool {
        guard let index = waiters.firstIndex(of: waiter) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// Stops lending: returns the idle connections to close and the waiters to fail.
    mutating func shutDown() -> (close: [Connection], fail: [Waiter]) {
        guard !isShutDown else { return ([], []) }
        isShutDown = true
        let closing = idle
        let failing = waiters
        open -= idle.count
        idle = []
        waiters = []
        return (closing, failing)
    }
}

extension PostgresPoolStateMachine.Grant: Sendable where Connection: Sendable {}
