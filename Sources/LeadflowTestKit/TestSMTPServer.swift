import FlyingSocks
import Foundation
import Synchronization

/// A real SMTP server on 127.0.0.1 with an ephemeral port that speaks EHLO, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA,
/// RSET, NOOP and QUIT, records every accepted message, and answers a chosen reply for chosen recipients.
///
/// Tests talk to it over real sockets; they learn that a message arrived by awaiting `messages`, never by sleeping.
public final class TestSMTPServer: Sendable {
    /// A reply the server sends: a code and its text, e.g. `451 4.3.0 Try again later`.
    public struct Reply: Sendable, Hashable {
        public var code: Int
        public var text: String

        public init(_ code: Int, _ text: String) {
            self.code = code
            self.text = text
        }
    }

    public let port: UInt16
    /// Every accepted message in arrival order, yielded when the server answers the end of its DATA.
    /// An `AsyncStream` has one consumer: iterate it from one place per test.
    public let messages: AsyncStream<Message>

    let state: Mutex<State>
    let continuation: AsyncStream<Message>.Continuation
    let authMechanisms: [String]
    /// Passwords by user name; when there are any, MAIL before a successful AUTH is refused.
    let users: [String: String]
    private let listener: AsyncSocket
    private let tasks: Mutex<[Task<Void, any Error>]>

    struct State {
        var recipientReplies: [String: Reply] = [:]
        var recorded: [Message] = []
        /// Running sessions by number. Each closes its own socket when it ends: closing it from here while the
        /// session still reads would let it read a descriptor the number was reused for, another test's socket.
        var sessions: [Int: Task<Void, Never>] = [:]
        var sessionCount = 0
        var queueID = 0
        var stopped = false
        /// How long the server takes over a message: the wait between the end of its data and the reply.
        var latency: Duration = .zero
        /// Sessions between the end of a message's data and the server's reply to it, now and at most so far.
        var inData = 0
        var mostInData = 0
        /// Sessions that ended with QUIT.
        var quits = 0
    }

    /// `smtp://127.0.0.1:<port>`.
    public var url: String { "smtp://127.0.0.1:\(port)" }

    /// Starts a server and returns once it accepts connections. `authMechanisms` are those EHLO advertises (none:
    /// no AUTH); with `users` (passwords by user name), a successful AUTH is required before MAIL.
    public static func start(
        authMechanisms: [String] = ["PLAIN", "LOGIN"], users: [String: String] = [:]
    ) async throws -> TestSMTPServer {
        let listener = try await LoopbackListener.start()
        let server = TestSMTPServer(
            port: listener.port, listener: listener.socket, authMechanisms: authMechanisms, users: users)
        server.tasks.withLock { $0.append(listener.poolTask) }
        server.acceptConnections()
        return server
    }

    /// Runs `body` against a fresh server and stops the server afterwards, whether `body` throws or not.
    public static func withServer<T>(
        authMechanisms: [String] = ["PLAIN", "LOGIN"], users: [String: String] = [:],
        _ body: (TestSMTPServer) async throws -> T
    ) async throws -> T {
        let server = try await start(authMechanisms: authMechanisms, users: users)
        do {
            let result = try await body(server)
            server.stop()
            return result
        } catch {
            server.stop()
            throw error
        }
    }

    private init(port: UInt16, listener: AsyncSocket, authMechanisms: [String], users: [String: String]) {
        self.port = port
        self.listener = listener
        self.authMechanisms = authMechanisms
        self.users = users
        state = Mutex(State())
        tasks = Mutex([])
        (messages, continuation) = AsyncStream.makeStream(of: Message.self)
    }

    /// Answers `RCPT TO:<address>` with `reply` (compared case-insensitively) instead of `250`.
    public func answer(_ reply: Reply, forRecipient address: String) {
        state.withLock { $0.recipientReplies[address.lowercased()] = reply }
    }

    /// Makes the server take `latency` over each message, between the end of its data and its `250` — how long
    /// a real relay spends queueing one (100–500 ms is usual).
    public func setLatency(_ latency: Duration) {
        state.withLock { $0.latency = latency }
    }

    /// The most sessions that were ever inside a message at once (between the end of its data and the reply).
    public var mostConcurrentMessages: Int {
        state.withLock { $0.mostInData }
    }

    /// The connections the server has accepted so far.
    public var sessionsAccepted: Int {
        state.withLock { $0.sessionCount }
    }

    /// The sessions that ended with the client's `QUIT`.
    public var sessionsQuit: Int {
        state.withLock { $0.quits }
    }

    /// Every message accepted so far, in arrival order.
    public var receivedMessages: [Message] {
        state.withLock { $0.recorded }
    }

    /// Ends every session and the listening socket (each closes its own socket), and ends `messages`.
    public func stop() {
        let sessions = state.withLock { state in
            state.stopped = true
            defer { state.sessions.removeAll() }
            return state.sessions
        }
        for session in sessions.values { session.cancel() }
        for task in tasks.withLock({ $0 }) { task.cancel() }
        continuation.finish()
    }

    private func acceptConnections() {
        let task = Task { [self] in
            defer { try? listener.close() }
            while true {
                let connection = try await listener.accept()
                let number = state.withLock { state in
                    state.sessionCount += 1
                    return state.sessionCount
                }
                // Ends when the client leaves or `stop()` cancels it.
                let session = Task {
                    await Session(server: self, socket: connection, number: number).run()
                    try? connection.close()
                    _ = state.withLock { $0.sessions.removeValue(forKey: number) }
                }
                let stopped = state.withLock { state in
                    if !state.stopped { state.sessions[number] = session }
                    return state.stopped
                }
                if stopped { session.cancel() }
            }
        }
        tasks.withLock { $0.append(task) }
    }
}
