import Curl
import LeadflowTestKit
import Testing

@Suite("CurlMulti: SMTP submissions to a real SMTP server", .timeLimit(.minutes(1)))
struct CurlMultiSMTPTests {
    static let message = Array(
        """
        From: sales@example.com\r
        To: ada@example.org\r
        Subject: Hello\r
        \r
        First line\r
        .a line that starts with a dot\r
        .\r
        Last line\r

        """.utf8)

    func submission(to server: TestSMTPServer, recipient: String = "ada@example.org") -> SMTPRequest {
        SMTPRequest(
            url: server.url, tls: .none, credentials: .init(user: "mailer", password: "s3cret"),
            from: "sales@example.com", recipients: [recipient], message: Self.message)
    }

    @Test(arguments: ["PLAIN", "LOGIN"])
    func aMessageIsDeliveredWithItsEnvelopeAndAuthentication(mechanism: String) async throws {
        try await TestSMTPServer.withServer(authMechanisms: [mechanism], users: ["mailer": "s3cret"]) { server in
            let multi = CurlMulti()
            let response = try await multi.send(submission(to: server))
            #expect(response.code == 250)
            #expect(response.text == "2.0.0 Ok: queued as Q1")
            #expect(response.isAccepted)

            let received = try #require(server.receivedMessages.first)
            #expect(received.from == "sales@example.com")
            #expect(received.recipients == ["ada@example.org"])
            #expect(received.authMechanism == mechanism)
            #expect(received.authUser == "mailer")
            // libcurl dot-stuffed the lines that start with a dot and the server undid it: the data is intact.
            #expect(received.data == Self.message)
            await multi.shutdown()
        }
    }

    @Test(arguments: [
        TestSMTPServer.Reply(451, "4.3.0 Try again later"), TestSMTPServer.Reply(550, "5.1.1 No such user"),
    ])
    func aRefusedRecipientIsAReplyNotAnError(reply: TestSMTPServer.Reply) async throws {
        try await TestSMTPServer.withServer { server in
            server.answer(reply, forRecipient: "gone@example.org")
            let multi = CurlMulti()
            let response = try await multi.send(submission(to: server, recipient: "gone@example.org"))
            #expect(response.code == reply.code)
            #expect(response.text == reply.text)
            #expect(!response.isAccepted)
            #expect(server.receivedMessages.isEmpty)
            await multi.shutdown()
        }
    }

    @Test func wrongCredentialsAreRefusedWith535() async throws {
        try await TestSMTPServer.withServer(users: ["mailer": "other"]) { server in
            let multi = CurlMulti()
            let response = try await multi.send(submission(to: server))
            #expect(response.code == 535)
            #expect(server.receivedMessages.isEmpty)
            await multi.shutdown()
        }
    }

    @Test func requiredStartTLSFailsBeforeAnythingIsSentWhenTheServerDoesNotOfferIt() async throws {
        try await TestSMTPServer.withServer { server in
            let multi = CurlMulti()
            var request = submission(to: server)
            request.tls = .required
            let error = await #expect(throws: CurlError.self) { try await multi.send(request) }
            #expect(error?.kind == .tls)
            #expect(error.map { !$0.description.contains("s3cret") } ?? false)
            #expect(server.receivedMessages.isEmpty)
            await multi.shutdown()
        }
    }

    /// A submission that fails without a reply from any server, and the error kind it fails with.
    struct Unanswered: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var url: @Sendable () throws -> String
        var recipient: String
        var kind: CurlError.Kind
    }

    @Test(arguments: [
        Unanswered(
            testDescription: "refused connection", url: { "smtp://127.0.0.1:\(try LoopbackPort.unused())" },
            recipient: "b@example.com", kind: .couldNotConnect),
        // Refused before any I/O: the port does not matter.
        Unanswered(
            testDescription: "line break in an address", url: { "smtp://127.0.0.1:1" },
            recipient: "b@example.com>\r\nRCPT TO:<c@example.com", kind: .invalidRequest),
        Unanswered(
            testDescription: "not an SMTP URL", url: { "http://127.0.0.1:1" }, recipient: "b@example.com",
            kind: .malformedURL),
    ])
    func submissionsThatNoServerAnswersAreCurlErrors(_ case: Unanswered) async throws {
        let multi = CurlMulti()
        let request = SMTPRequest(
            url: try `case`.url(), tls: .none, from: "a@example.com", recipients: [`case`.recipient],
            message: Self.message)
        let error = await #expect(throws: CurlError.self) { try await multi.send(request) }
        #expect(error?.kind == `case`.kind)
        await multi.shutdown()
    }

    /// libcurl waits for the reply to the end of a message blocking its thread (its SMTP DONE step), so the
    /// transfers of one `CurlMulti` are inside a message one at a time however many run: the reason
    /// `SMTPSessionPool` exists. Should a libcurl ever wait without blocking, this fails, and the pool could go.
    @Test func submissionsOnOneCurlMultiReachTheServerOneAtATime() async throws {
        try await TestSMTPServer.withServer { server in
            server.setLatency(.milliseconds(100))
            let multi = CurlMulti(maxConcurrent: 4)
            let codes = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await multi.send(submission(to: server, recipient: "lead\(index)@example.org")).code
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes == Array(repeating: 250, count: 8))
            #expect(Set(server.receivedMessages.flatMap(\.recipients)).count == 8)
            // Four transfers ran, each on its own connection, yet never two inside a message at once.
            #expect(server.sessionsAccepted > 1)
            #expect(server.mostConcurrentMessages == 1)
            await multi.shutdown()
        }
    }
}
