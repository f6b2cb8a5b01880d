import Curl
import LeadflowTestKit
import Testing

@Suite("SMTPSessionPool: parallel SMTP sessions to a real SMTP server", .timeLimit(.minutes(1)))
struct SMTPSessionPoolTests {
    func submission(to server: TestSMTPServer, recipient: String, timeout: Duration = .seconds(30)) -> SMTPRequest {
        SMTPRequest(
            url: server.url, tls: .none, from: "sales@example.com", recipients: [recipient],
            message: Array("From: sales@example.com\r\nTo: \(recipient)\r\nSubject: Hi\r\n\r\nHello\r\n".utf8),
            timeout: timeout)
    }

    /// Sends `count` messages at once through `pool`; returns the reply codes.
    func sendAll(_ count: Int, through pool: SMTPSessionPool, to server: TestSMTPServer) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<count {
                group.addTask { try await pool.send(submission(to: server, recipient: "lead\(index)@example.org")).code }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func sessionsAreInsideMessagesAtOnceAndReuseTheirConnections() async throws {
        try await TestSMTPServer.withServer { server in
            server.setLatency(.milliseconds(100))
            let pool = SMTPSessionPool(maxSessions: 32)
            let codes = try await sendAll(128, through: pool, to: server)
            #expect(codes == Array(repeating: 250, count: 128))
            // Each session has a connection of its own, and none waits for another's reply.
            #expect(server.mostConcurrentMessages >= 16)
            #expect(server.sessionsAccepted <= 32)
            #expect(pool.statistics.sessions <= 32)
            // 128 messages on at most 32 connections: connections carried several messages each.
            let perSession = Dictionary(grouping: server.receivedMessages, by: \.session).mapValues(\.count)
            #expect(perSession.values.max() ?? 0 > 1)
            #expect(perSession.values.reduce(0, +) == 128)
            await pool.shutdown()
            // Every connection was closed politely.
            try await eventually("every session has quit", timeout: .seconds(10)) {
                server.sessionsQuit == server.sessionsAccepted
            }
        }
    }

    @Test func aRefusedRecipientDoesNotSpoilTheNextMessageOnTheSession() async throws {
        try await TestSMTPServer.withServer { server in
            server.answer(.init(550, "5.1.1 No such user"), forRecipient: "gone@example.org")
            let pool = SMTPSessionPool(maxSessions: 1)
            let refused = try await pool.send(submission(to: server, recipient: "gone@example.org"))
            #expect(refused.code == 550)
            // The transaction the refusal left open must not reach the next message (a server would answer its
            // MAIL FROM with 503): libcurl closes a connection after a failed submission, so it comes on a new one.
            let accepted = try await pool.send(submission(to: server, recipient: "ada@example.org"))
            #expect(accepted.code == 250)
            #expect(server.receivedMessages.map(\.recipients) == [["ada@example.org"]])
            let third = try await pool.send(submission(to: server, recipient: "bob@example.org"))
            #expect(third.code == 250)
            // The second and third messages shared the connection the second one opened.
            #expect(Set(server.receivedMessages.map(\.session)).count == 1)
            #expect(server.sessionsAccepted == 2)
            #expect(pool.statistics.sessions == 1)
            await pool.shutdown()
        }
    }

    @Test func anIdleConnectionIsClosedWithQuit() async throws {
        try await TestSMTPServer.withServer { server in
            let pool = SMTPSessionPool(maxSessions: 2, idleTimeout: .milliseconds(200))
            #expect(try await pool.send(submission(to: server, recipient: "ada@example.org")).code == 250)
            try await eventually("the idle connection has quit", timeout: .seconds(10)) { server.sessionsQuit == 1 }
            // The session opens a new connection for the next message.
            #expect(try await pool.send(submission(to: server, recipient: "bob@example.org")).code == 250)
            #expect(server.sessionsAccepted == 2)
            await pool.shutdown()
        }
    }

    @Test func submissionsBeyondTheSessionsWaitAndTheirTimeoutStartsWithTheirSession() async throws {
        try await TestSMTPServer.withServer { server in
            // Each message takes 300 ms and may take at most 1 s from when its session takes it: ten messages on
            // two sessions take about 1.5 s, which would time out the last ones were the wait counted.
            server.setLatency(.milliseconds(300))
            let pool = SMTPSessionPool(maxSessions: 2)
            let codes = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        try await pool.send(submission(to: server, recipient: "l\(index)@example.org", timeout: .seconds(1))).code
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes == Array(repeating: 250, count: 10))
            #expect(server.mostConcurrentMessages == 2)
            #expect(server.sessionsAccepted == 2)
            await pool.shutdown()
        }
    }

    @Test func aWaitingSubmissionCanBeCancelledAndShutdownRefusesNewOnes() async throws {
        try await TestSMTPServer.withServer { server in
            server.setLatency(.seconds(2))
            let pool = SMTPSessionPool(maxSessions: 1)
            let busy = Task { try await pool.send(submission(to: server, recipient: "ada@example.org")) }
            try await eventually("the session is busy") { pool.statistics.busy == 1 }
            let waiting = Task { try await pool.send(submission(to: server, recipient: "bob@example.org")) }
            try await eventually("a submission waits") { pool.statistics.waiting == 1 }
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            #expect(pool.statistics.waiting == 0)
            #expect(try await busy.value.code == 250)
            await pool.shutdown()
            await #expect(throws: CancellationError.self) {
                try await pool.send(submission(to: server, recipient: "eve@example.org"))
            }
            #expect(server.receivedMessages.map(\.recipients) == [["ada@example.org"]])
        }
    }
}
