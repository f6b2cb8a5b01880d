import Curl
import Foundation
import LeadflowAdmin
import LeadflowHandlers
import LeadflowProto
import LeadflowSecrets
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// RFC 8058 end to end: the email handler's SMTP driver sends a lead's email through a real SMTP server, the
/// link is read off the message as a mail receiver would, and the admin service — real HTTP, real PostgreSQL —
/// refuses forged and altered tokens, does nothing on GET, and on the one-click POST suppresses the channel
/// exactly as a `lead.unsubscribe` does.
@Suite("One-click unsubscribe (RFC 8058) through a real SMTP server and the admin service", .timeLimit(.minutes(2)))
struct OneClickUnsubscribeTests {
    static let pipeline = """
        name: nurture
        stages:
          - name: first
            actions:
              - email: {sender: "Acme <news@acme.test>", subject: "Hello", text: "hi"}
              - sms: {sender: "+15550001111", body: "hi"}
              - email: {sender: "Acme <news@acme.test>", subject: "Again", text: "hi again"}
        """
    static let form = "List-Unsubscribe=One-Click"
    static let formType = "application/x-www-form-urlencoded"

    @Test("the header arrives; a forged or altered token is refused; GET changes nothing; the POST suppresses email")
    func endToEnd() async throws {
        try await AdminHarness.with { harness in
            let claimed = try await harness.enrollAndClaim(["ada"], org: "acme")
            let ada = try #require(claimed["ada"])
            let message = try await TestSMTPServer.withServer { server in
                var configuration = SMTPEmailDriver.Configuration()
                configuration.url = server.url
                configuration.tls = .none
                configuration.listUnsubscribe = ListUnsubscribe(
                    baseURL: "http://127.0.0.1:\(harness.port)", keys: AdminHarness.unsubscribeKeys,
                    mailto: "unsubscribe@acme.test")
                let driver = SMTPEmailDriver(configuration: configuration)
                let outcome = await driver.deliver(Self.dispatch(ada))
                await driver.shutdown()
                #expect(outcome == .succeeded(providerMessageID: "Q1"))
                return try #require(server.receivedMessages.first)
            }

            // The header, as a mail receiver reads it.
            #expect(message.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
            let field = try #require(message.header("List-Unsubscribe"))
            let prefix = "<http://127.0.0.1:\(harness.port)/unsubscribe/"
            #expect(field.hasPrefix(prefix) && field.contains(">, <mailto:unsubscribe@acme.test?subject=unsubscribe%20"), "\(field)")
            let link = String(field.dropFirst().prefix { $0 != ">" })
            let path = String(link.dropFirst("http://127.0.0.1:\(harness.port)".count))
            let token = String(path.dropFirst("/unsubscribe/".count))

            // Forged: a token for the same lead and channel under a key this deployment does not have.
            let forger = try UnsubscribeKeys([Array(repeating: 0x66, count: 32)])
            let forged = UnsubscribeToken(org: "acme", leadID: Int64(ada.lead.leadID), channel: .email).signed(with: forger)
            // Altered: the real token with one character of its lead id changed.
            var characters = Array(token)
            characters[4] = characters[4] == "A" ? "B" : "A"
            let altered = String(characters)
            for bad in [forged, altered] {
                let reply = try await harness.call(.post, "/unsubscribe/\(bad)", json: Self.form, contentType: Self.formType)
                #expect(reply.status == 403, "\(reply)")
                #expect(reply.contentType == "application/problem+json")
                #expect(reply.json["type"] as? String == "urn:leadflow:problem:forbidden", "\(reply)")
            }
            #expect(try await harness.suppression(of: ada) == nil)

            // GET: the confirmation page, and still nothing recorded.
            let page = try await harness.call(.get, path)
            #expect(page.status == 200, "\(page)")
            #expect(page.contentType?.hasPrefix("text/html") == true)
            #expect(page.text.contains(#"<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">"#))
            #expect(page.headers["referrer-policy"] == "no-referrer" && page.headers["cache-control"] == "no-store")
            #expect(try await harness.suppression(of: ada) == nil)

            // The one-click POST.
            let done = try await harness.call(.post, path, json: Self.form, contentType: Self.formType)
            #expect(done.status == 200, "\(done)")
            #expect(done.text.contains("You are unsubscribed"))
            #expect(try await harness.suppression(of: ada) == "list_unsubscribe")
            // As lead.unsubscribe does: the email on its way is canceled, the lead goes on to its SMS.
            let statuses = try await harness.actionStatuses(of: ada)
            #expect(statuses == [["email", "canceled", "suppressed"], ["sms", "pending", ""], ["email", "blocked", ""]], "\(statuses)")
            #expect(try await harness.unsubscribedEntries(of: ada) == 1)

            // Again, as RFC 8058 recommends (multipart/form-data), with a part the form does not know before the
            // one it does (read past, not a 500, as schemathesis once found): 200, and nothing more is written.
            let boundary = "lf-\(UInt32.random(in: 0...UInt32.max))"
            let multipart =
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"extra\"\r\n\r\ntrue\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--\(boundary)--\r\n"
            let again = try await harness.call(
                .post, path, json: multipart, contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(again.status == 200, "\(again)")
            #expect(try await harness.unsubscribedEntries(of: ada) == 1)

            // A body that is not the one-click form is a 400 naming the field, url-encoded or multipart (a missing
            // part once made the runtime's error a 500: schemathesis found it).
            let wrong = try await harness.call(.post, path, json: "List-Unsubscribe=Maybe", contentType: Self.formType)
            let noPart = try await harness.call(
                .post, path, json: "--\(boundary)\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n{}\r\n--\(boundary)--\r\n",
                contentType: "multipart/form-data; boundary=\(boundary)")
            let tooLong = try await harness.call(
                .post, path,
                json: "--\(boundary)\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
                    + String(repeating: "One-Click", count: 100) + "\r\n--\(boundary)--\r\n",
                contentType: "multipart/form-data; boundary=\(boundary)")
            for reply in [wrong, noPart, tooLong] {
                #expect(reply.status == 400 && reply.json["field"] as? String == "List-Unsubscribe", "\(reply)")
            }
            let logged = harness.logs.all.map { "\($0.message) \($0.metadata)" }
            #expect(!logged.contains { $0.contains(token) }, "a log line quotes the token")
            #expect(logged.contains { $0.contains("one-click unsubscribe") && $0.contains("unsubscribed") }, "\(logged)")
        }
    }

    @Test("bad tokens from one address get it 429 with Retry-After for its next bad ones; a good token is still honoured")
    func badTokensAreLimited() async throws {
        var configuration = AdminConfiguration.testing
        configuration.badTokenLimit = 3
        configuration.badTokenWindow = .seconds(600)
        try await AdminHarness.with(configuration: configuration) { harness in
            let claimed = try await harness.enrollAndClaim(["bob"], org: "acme")
            let bob = try #require(claimed["bob"])
            let good = UnsubscribeToken(org: "acme", leadID: Int64(bob.lead.leadID), channel: .email)
                .signed(with: AdminHarness.unsubscribeKeys)
            let forged = UnsubscribeToken(org: "acme", leadID: Int64(bob.lead.leadID), channel: .email)
                .signed(with: try UnsubscribeKeys([Array(repeating: 1, count: 32)]))
            for (bad, status) in [("AAAA", 403), ("not-a-token", 403), (forged, 403)] {
                let reply = try await harness.call(.post, "/unsubscribe/\(bad)", json: Self.form, contentType: Self.formType)
                #expect(reply.status == status, "\(reply)")
            }
            let refused = try await harness.call(.post, "/unsubscribe/\(forged)", json: Self.form, contentType: Self.formType)
            #expect(refused.status == 429, "\(refused)")
            #expect(Int(refused.headers["retry-after"] ?? "") ?? 0 >= 1, "\(refused.headers)")
            #expect(try await harness.suppression(of: bob) == nil)
            // Behind a proxy every client shares one address: garbage from anyone must not block real links.
            let honoured = try await harness.call(.post, "/unsubscribe/\(good)", json: Self.form, contentType: Self.formType)
            #expect(honoured.status == 200, "\(honoured)")
            #expect(try await harness.suppression(of: bob) == "list_unsubscribe")
        }
    }

    @Test("a service without unsubscribe.key_file answers 404, and a valid token of a lead that does not exist 404")
    func notConfiguredAndUnknownLead() async throws {
        try await AdminHarness.with(configuration: AdminConfiguration()) { harness in
            let token = UnsubscribeToken(org: "acme", leadID: 1, channel: .email).signed(with: AdminHarness.unsubscribeKeys)
            let reply = try await harness.call(.post, "/unsubscribe/\(token)", json: Self.form, contentType: Self.formType)
            #expect(reply.status == 404 && (reply.json["detail"] as? String)?.contains("unsubscribe.key_file") == true, "\(reply)")
        }
        try await AdminHarness.with { harness in
            let token = UnsubscribeToken(org: "acme", leadID: 999_999, channel: .email).signed(with: AdminHarness.unsubscribeKeys)
            let reply = try await harness.call(.post, "/unsubscribe/\(token)", json: Self.form, contentType: Self.formType)
            #expect(reply.status == 404, "\(reply)")
        }
    }

    /// The email dispatch the scheduler would build for `claimed` (the first email of ``pipeline``).
    static func dispatch(_ claimed: ClaimedAction) -> Leadflow_V1_ActionDispatch {
        var dispatch = Leadflow_V1_ActionDispatch()
        dispatch.actionID = Int64(claimed.actionID)
        dispatch.attempt = UInt32(claimed.attempt)
        dispatch.org = claimed.org
        dispatch.actionType = .email
        dispatch.lead = claimed.lead
        dispatch.idempotencyKey = claimed.idempotencyKey
        dispatch.email = .with {
            $0.sender = "Acme <news@acme.test>"
            $0.subject = "Hello"
            $0.text = "hi"
        }
        return dispatch
    }
}

extension AdminHarness {
    /// Upserts each lead of `org` with an address, enrolls it in ``OneClickUnsubscribeTests/pipeline`` and claims
    /// its first email as the scheduler does; returns the claimed emails by external id.
    func enrollAndClaim(_ externalIDs: [String], org: String) async throws -> [String: ClaimedAction] {
        try await inTransaction { connection in
            var events = LeadEventLog(recording: false, history: true)
            let claimed = try ClaimSeed.enrollAndClaim(
                pipeline: OneClickUnsubscribeTests.pipeline, externalIDs: externalIDs, org: org, withEmail: true,
                events: &events, on: connection)
            try LeadHistory.write(events, on: connection)
            return claimed
        }
    }

    /// The source of the lead's email suppression, if one holds.
    func suppression(of claimed: ClaimedAction) async throws -> String? {
        let leadID = Int(claimed.lead.leadID)
        return try await inTransaction { connection in
            try connection.query(
                "SELECT source FROM lead_suppressions WHERE lead_id = $1 AND channel = 'email' AND suppressed", [leadID]
            ).first.map { try $0.decode(String.self, at: 0) }
        }
    }

    /// Type, status and last error of the lead's actions, in pipeline order.
    func actionStatuses(of claimed: ClaimedAction) async throws -> [[String]] {
        let leadID = Int(claimed.lead.leadID)
        return try await inTransaction { connection in
            try connection.query(
                "SELECT type, status, coalesce(last_error, '') FROM lead_stage_actions WHERE lead_id = $1 ORDER BY id", [leadID]
            ).map { row in try row.decode((String, String, String).self) }.map { [$0.0, $0.1, $0.2] }
        }
    }

    /// How many `unsubscribed` entries the lead's history holds.
    func unsubscribedEntries(of claimed: ClaimedAction) async throws -> Int {
        let leadID = Int(claimed.lead.leadID)
        return try await inTransaction { connection in
            try LeadHistory.timeline(leadID: leadID, since: Date(timeIntervalSince1970: 0), limit: 1000, on: connection)
                .filter { $0.kind == "unsubscribed" && $0.channel == "email" && $0.source == "list_unsubscribe" }.count
        }
    }
}
