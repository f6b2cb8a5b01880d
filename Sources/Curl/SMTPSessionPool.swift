import DequeModule
import Synchronization

/// SMTP submissions to one server, up to `maxSessions` at once, each session on a connection of its own that is
/// kept open and reused for the next message.
///
/// libcurl waits for the server's reply to the end of a message blocking its thread, so one `CurlMulti` delivers
/// one message at a time however many transfers it runs (`CurlMulti.send(_:)`). The pool therefore gives each
/// session a `CurlMulti` — a thread, a multi handle and its connection cache — of its own, running one
/// submission at a time. Sessions start when needed, up to `maxSessions`; a submission waits (in order of
/// arrival) while every session is busy, and its timeouts start when its session takes it. The most recently
/// used free session goes first, so that a connection stays warm and sessions beyond what the traffic needs
/// stay idle until their connections close, after `idleTimeout` (with `QUIT`).
///
/// libcurl keeps a connection after a message the server took, and sends the next `MAIL FROM` on it (no `RSET`
/// is needed after a finished transaction, RFC 5321 §4.1.1.5); it closes the connection after any failed
/// submission, so a refused recipient or a timeout never leaves a half-finished transaction for the next one.
public final class SMTPSessionPool: Sendable {
    /// One session: the `CurlMulti` that runs its submissions one at a time, and its connection.
    private struct Session: Sendable {
        let number: Int
        let multi: CurlMulti
    }

    private struct State: ~Copyable {
        /// Free sessions, the most recently used last.
        var free: [Session] = []
        var all: [Session] = []
        var busy = 0
        var waiters = Deque<(token: Int, continuation: CheckedContinuation<Session, any Error>)>()
        var nextToken = 0
        var closed = false
    }

    /// What the pool is doing, for gauges and tests.
    public struct Statistics: Sendable, Equatable {
        /// Sessions started (each a thread), busy or free.
        public var sessions: Int
        /// Sessions running a submission.
        public var busy: Int
        /// Submissions waiting for a session.
        public var waiting: Int
    }

    public let maxSessions: Int
    private let idleTimeout: Duration
    private let name: String
    private let state = Mutex(State())

    /// `maxSessions` (at least 1) bounds the sessions, and so the connections to the server, open at once;
    /// `idleTimeout` closes a session's connection after that long without a message. `name` prefixes the
    /// sessions' thread names.
    public init(maxSessions: Int, idleTimeout: Duration = .seconds(30), name: String = "leadflow.smtp") {
        precondition(maxSessions >= 1, "an SMTP session pool needs room for at least one session")
        self.maxSessions = maxSessions
        self.idleTimeout = idleTimeout
        self.name = name
    }

    public var statistics: Statistics {
        state.withLock { Statistics(sessions: $0.all.count, busy: $0.busy, waiting: $0.waiters.count) }
    }

    /// Submits `mail` on a free session (waiting for one while all are busy) and returns the server's final
    /// reply, as `CurlMulti.send(_:)` does. Cancelling the calling task while it waits or runs throws
    /// `CancellationError`, as does calling this after `shutdown()`.
    public func send(_ mail: SMTPRequest) async throws -> SMTPResponse {
        let session = try await acquire()
        defer { release(session) }
        return try await session.multi.send(mail)
    }

    /// Refuses new submissions and fails those waiting for a session, then returns once the running ones have
    /// finished and every session has closed its connection (`QUIT`).
    public func shutdown() async {
        let (sessions, waiters) = state.withLock { state in
            state.closed = true
            defer { state.waiters.removeAll() }
            return (state.all, Array(state.waiters))
        }
        for waiter in waiters { waiter.continuation.resume(throwing: CancellationError()) }
        await withDiscardingTaskGroup { group in
            for session in sessions { group.addTask { await session.multi.shutdown() } }
        }
    }

    private func acquire() async throws -> Session {
        let token = state.withLock { state in
            defer { state.nextToken += 1 }
            return state.nextToken
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Session, any Error>) in
                let outcome = state.withLock { state -> Result<Session, any Error>? in
                    guard !state.closed else { return .failure(CancellationError()) }
                    if let session = state.free.popLast() {
                        state.busy += 1
                        return .success(session)
                    }
                    if state.all.count < maxSessions {
                        let number = state.all.count + 1
                        let session = Session(
                            number: number,
                            multi: CurlMulti(
                                maxConcurrent: 1, name: "\(name).\(number)", idleConnectionTimeout: idleTimeout))
                        state.all.append(session)
                        state.busy += 1
                        return .success(session)
                    }
                    // Checked under the lock the cancellation handler takes: either it runs later and finds the
                    // waiter, or the task is already marked cancelled here.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters.append((token, continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Session, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.token == token }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Hands `session` to the first waiting submission, or puts it back as the most recently used free one.
    private func release(_ session: Session) {
        let waiter = state.withLock { state -> CheckedContinuation<Session, any Error>? in
            if let waiter = state.waiters.popFirst() { return waiter.continuation }
            state.busy -= 1
            state.free.append(session)
            return nil
        }
        waiter?.resume(returning: session)
    }
}
