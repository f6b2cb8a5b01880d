import Curl
import Foundation
@testable import LeadflowAdmin
import LeadflowTestKit
import Testing

/// The dead letters' page: filtered as the API filters, grouped by error, each action replayed or discarded by
/// an operator, back on the same filtered page.
@Suite("Console: dead letters")
struct ConsoleDeadLetterTests {
    @Test("filter by organization, type and error; group by error; replay one and discard another; a viewer gets no buttons")
    func deadLetters() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.operator, name: "ops")
            let (viewer, _) = try await harness.token(.viewer)
            let ids = try await harness.deadLetters(["a1", "a2", "a3"], org: "acme")
            _ = try await harness.deadLetters(["b1"], org: "beta")
            let session = try await harness.logIn(token)
            let all = try await harness.page("/console/dead-letters", cookies: session)
            #expect(all.status == 200 && all.text.contains("<caption>4 on this page</caption>"), "\(all)")
            #expect(all.text.contains("<tr><td>550 no such user</td><td>4</td></tr>"), "grouped by error: \(all)")
            let acme = try await harness.page("/console/dead-letters?org=acme&type=email&error=NO+SUCH", cookies: session)
            #expect(acme.text.contains("<caption>3 on this page</caption>") && !acme.text.contains("· beta"), "\(acme)")
            #expect(acme.text.contains(#"<a href="/console/lead?org=acme&amp;id=a1">a1</a>"#), "\(acme)")
            let none = try await harness.page("/console/dead-letters?error=timeout", cookies: session)
            #expect(none.text.contains("No dead action matches."), "\(none)")
            let bad = try await harness.page("/console/dead-letters?type=fax", cookies: session)
            #expect(bad.status == 400, "\(bad)")

            let csrf = try AdminHarness.csrf(acme)
            let back = "/console/dead-letters?org=acme&type=email&error=NO%20SUCH"
            let replay = try await harness.post(
                "/console/dead-letters/replay", form: [("csrf", csrf), ("id", "\(ids["a1"]!)"), ("back", back)], cookies: session)
            #expect(replay.status == 303 && replay.headers["location"] == back + "&done=replayed&id=\(ids["a1"]!)", "\(replay)")
            let discard = try await harness.post(
                "/console/dead-letters/discard", form: [("csrf", csrf), ("id", "\(ids["a2"]!)"), ("back", "https://evil.example/x")],
                cookies: session)
            #expect(discard.headers["location"] == "/console/dead-letters?done=discarded&id=\(ids["a2"]!)", "a foreign back link is not followed")
            let after = try await harness.page(try #require(replay.headers["location"]), cookies: session)
            #expect(after.text.contains("Replayed action \(ids["a1"]!).") && after.text.contains("<caption>1 on this page</caption>"), "\(after)")
            let states = try await harness.inTransaction { connection in
                try connection.query("SELECT id, status FROM lead_stage_actions WHERE id = ANY($1)", [[ids["a1"]!, ids["a2"]!]])
                    .map { try $0.decode((Int, String).self) }
            }.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
            #expect(states == [ids["a1"]!: "pending", ids["a2"]!: "canceled"], "\(states)")
            let again = try await harness.post(
                "/console/dead-letters/discard", form: [("csrf", csrf), ("id", "\(ids["a2"]!)")], cookies: session)
            #expect(again.status == 409, "not dead any more: \(again)")

            let viewerSession = try await harness.logIn(viewer)
            let read = try await harness.page("/console/dead-letters", cookies: viewerSession)
            #expect(read.status == 200 && !read.text.contains("/console/dead-letters/replay"), "\(read)")
            let forged = try await harness.post(
                "/console/dead-letters/discard", form: [("csrf", try AdminHarness.csrf(read)), ("id", "\(ids["a3"]!)")], cookies: viewerSession)
            #expect(forged.status == 403, "\(forged)")
        }
    }

    @Test("only the dead letters' own links are followed back")
    func backLinks() {
        #expect(Console.deadLettersPath("/console/dead-letters") != nil)
        #expect(Console.deadLettersPath("/console/dead-letters?org=acme&error=a%20b") != nil)
        for hostile in ["//evil.example", "/console/dead-letters/../x", "/console/dead-letters?x=\r\nSet-Cookie:a=b",
                        "/console/dead-lettersx", "https://evil.example/console/dead-letters", "/console/dead-letters?a=<b>"] {
            #expect(Console.deadLettersPath(hostile) == nil, "\(hostile)")
        }
    }
}
