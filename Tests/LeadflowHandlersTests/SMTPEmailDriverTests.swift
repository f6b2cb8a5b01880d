import Curl
import Foundation
import LeadflowSecrets
import LeadflowTestKit
import Testing

@testable import LeadflowHandlers

@Suite("SMTP email driver against a real SMTP server", .timeLimit(.minutes(1)))
struct SMTPEmailDriverTests {
    static let sentAt = Date(timeIntervalSince1970: 1_795_000_000)

    /// Runs `body` with a fresh server and a driver that submits to it as `mailer`.
    func withDriver(
        users: [String: String] = [:], password: String = "s3cret",
        _ body: (TestSMTPServer, SMTPEmailDriver) async throws -> Void
    ) async throws {
        try await TestSMTPServer.withServer(users: users) { server in
            var configuration = SMTPEmailDriver.Configuration()
            configuration.url = server.url
            configuration.tls = .none
            configuration.username = "mailer"
            configuration.password = Secret(password)
            try await withSMTPDriver(configuration, now: { Self.sentAt }) { driver in
                try await body(server, driver)
            }
        }
    }

    @Test func theMessageArrivesWithItsHeaderEnvelopeAndAuthentication() async throws {
        try await withDriver(users: ["mailer": "s3cret"]) { server, driver in
            let outcome = await driver.deliver(emailDispatch(key: "act-42:1"))
            #expect(outcome == .succeeded(providerMessageID: "Q1"))

            let message = try #require(server.receivedMessages.first)
            #expect(message.authUser == "mailer")
            #expect(message.from == "sales@example.com")
            #expect(message.recipients == ["ada@example.org"])
            #expect(message.header("From") == "Sales <sales@example.com>")
            #expect(message.header("To") == "ada@example.org")
            #expect(message.header("Reply-To") == "replies@example.com")
            #expect(message.header("Subject") == "Hello Ada")
            #expect(message.header("Date") == "Wed, 18 Nov 2026 11:06:40 +0000")
            // Deterministic from the idempotency key, so a re-sent attempt carries the same id.
            #expect(message.header("Message-ID") == "<act-42%3A1@leadflow>")
            #expect(message.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(message.body == "Hi Ada,\r\nyour plan: pro.\r\n")
        }
    }

    @Test func everyAttemptOfAnActionCarriesTheSameMessageID() async throws {
        try await withDriver(users: ["mailer": "s3cret"]) { server, driver in
            _ = await driver.deliver(emailDispatch(key: "act-9"))
            _ = await driver.deliver(emailDispatch(key: "act-9"))
            _ = await driver.deliver(emailDispatch(key: "act-10"))
            #expect(
                server.receivedMessages.map { $0.header("Message-ID") } == [
                    "<act-9@leadflow>", "<act-9@leadflow>", "<act-10@leadflow>",
                ])
        }
    }

    @Test func htmlMakesAMultipartAlternativeMessage() async throws {
        try await withDriver { server, driver in
            var dispatch = emailDispatch()
            dispatch.email.html = "<p>Hi <b>{{first_name}}</b></p>"
            #expect(await driver.deliver(dispatch) == .succeeded(providerMessageID: "Q1"))
            let message = try #require(server.receivedMessages.first)
            let contentType = try #require(message.header("Content-Type"))
            #expect(contentType.hasPrefix("multipart/alternative; boundary="))
            let sevenBit = "; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
            #expect(message.body.contains("Content-Type: text/plain" + sevenBit + "Hi Ada,"))
            #expect(message.body.contains("Content-Type: text/html" + sevenBit + "<p>Hi <b>Ada</b></p>"))
        }
    }

    @Test(arguments: [
        (TestSMTPServer.Reply(451, "4.7.1 Greylisted, try again"), "retry smtp_4xx"),
        (TestSMTPServer.Reply(550, "5.1.1 No such user"), "failed smtp_5xx"),
    ])
    func refusedRecipients(reply: TestSMTPServer.Reply, expected: String) async throws {
        try await withDriver { server, driver in
            server.answer(reply, forRecipient: "gone@example.org")
            let outcome = await driver.deliver(emailDispatch(to: "gone@example.org"))
            #expect(OutcomeClassifierTests.summary(outcome) == expected)
            if case .failedPermanently(let failure) = outcome {
                #expect(failure.message == "SMTP 550 5.1.1 No such user from \(server.url)")
            }
            #expect(server.receivedMessages.isEmpty)
        }
    }

    @Test func wrongCredentialsFailPermanentlyWithoutShowingThePassword() async throws {
        try await withDriver(users: ["mailer": "s3cret"], password: "wrong-password") { _, driver in
            let outcome = await driver.deliver(emailDispatch())
            guard case .failedPermanently(let failure) = outcome else {
                Issue.record("expected a permanent failure, got \(outcome)")
                return
            }
            #expect(failure.errorClass == .smtp5xx)
            #expect(failure.message.hasPrefix("SMTP 535"))
            #expect(!failure.message.contains("wrong-password"))
        }
    }

    @Test func aServerThatIsNotThereMeansRetry() async throws {
        var configuration = SMTPEmailDriver.Configuration()
        configuration.url = "smtp://127.0.0.1:\(try LoopbackPort.unused())"
        configuration.tls = .none
        let outcome = try await withSMTPDriver(configuration) { driver in
            await driver.deliver(emailDispatch())
        }
        #expect(OutcomeClassifierTests.summary(outcome) == "retry connect")
    }

    @Test func aLeadWithoutAnEmailAddressFailsPermanentlyWithoutConnecting() async throws {
        try await withDriver { server, driver in
            var dispatch = emailDispatch()
            dispatch.lead.email = ""
            let outcome = await driver.deliver(dispatch)
            #expect(OutcomeClassifierTests.summary(outcome) == "failed invalid_recipient")
            #expect(server.receivedMessages.isEmpty)
        }
    }

    @Test(
        "configuration problems are named by setting",
        arguments: [
            ({ @Sendable (c: inout SMTPEmailDriver.Configuration) in c.url = "" }, "smtp.url: is required"),
            ({ c in c.url = "http://mail.example.com" }, "smtp.url: must be a URL starting with smtp:// or smtps://"),
            ({ c in c.username = "mailer" }, "smtp.password: user name and password go together: set both or neither"),
            ({ c in c.timeout = .zero }, "smtp.timeout: must be longer than zero"),
            (
                { c in c.messageIDDomain = "a b" },
                "smtp.message_id_domain: must be a domain such as leadflow or mail.example.com"
            ),
        ] as [(@Sendable (inout SMTPEmailDriver.Configuration) -> Void, String)])
    func configuration(change: @Sendable (inout SMTPEmailDriver.Configuration) -> Void, message: String) {
        var configuration = SMTPEmailDriver.Configuration()
        #expect(throws: Never.self) { try configuration.validate() }
        change(&configuration)
        #expect(throws: HandlerConfigurationError.self) { try configuration.validate() }
        do {
            try configuration.validate()
        } catch {
            #expect(error.description == message)
        }
    }
}
