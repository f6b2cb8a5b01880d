import Curl
import Foundation
import LeadflowAdmin
import LeadflowTestKit
import Testing

/// A lead's controls in the console: shown only to a role that may use them, confirmed with the dry run's
/// count, run by the API's handler (audited as the token), refused without the CSRF token or the role.
@Suite("Console: a lead's controls")
struct ConsoleControlTests {
    /// The status of each of the lead's actions, by id.
    static func statuses(_ harness: AdminHarness, _ name: String) async throws -> [Int: String] {
        try await harness.inTransaction { connection in
            try connection.query(
                """
                SELECT a.id, a.status FROM lead_stage_actions a JOIN leads l ON l.id = a.lead_id
                WHERE l.external_id = $1
                """, [name]
            ).map { try $0.decode((Int, String).self) }
        }.reduce(into: [:]) { $0[$1.0] = $1.1 }
    }

    @Test("an operator replays a dead action and cancels open work: each confirmed with its count, audited, noticed")
    func operatorControls() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.operator, organizations: ["acme"], name: "ops")
            let (name, actionID) = try await harness.deadLetterLead(in: "acme")
            let session = try await harness.logIn(token)
            let page = try await harness.page("/console/lead?org=acme&id=\(name)", cookies: session)
            #expect(page.text.contains(#"<button type="submit" id="replay">"#) && page.text.contains(#"id="cancel""#), "\(page)")
            let csrf = try AdminHarness.csrf(page)
            let lead = [("csrf", csrf), ("org", "acme"), ("id", name)]

            let ask = try await harness.post("/console/lead/replay", form: lead, cookies: session)
            #expect(ask.status == 200 && ask.text.contains("1 dead action would run again"), "\(ask)")
            #expect(ask.text.contains(#"<input type="hidden" name="confirm" value="yes">"#), "\(ask)")
            #expect(ask.text.contains(#"<input type="hidden" name="expected" value="1">"#), "\(ask)")
            #expect(try await Self.statuses(harness, name)[actionID] == "dead", "the dry run changes nothing")
            // Confirmed with another count than the lead's now: asked again, nothing done.
            let stale = try await harness.post("/console/lead/replay", form: lead + [("confirm", "yes"), ("expected", "3")], cookies: session)
            #expect(stale.status == 200 && stale.text.contains("The lead changed since the confirmation was shown"), "\(stale)")
            #expect(try await Self.statuses(harness, name)[actionID] == "dead")
            let replayed = try await harness.post(
                "/console/lead/replay", form: lead + [("confirm", "yes"), ("expected", "1")], cookies: session)
            #expect(replayed.status == 303, "\(replayed)")
            let location = try #require(replayed.headers["location"])
            #expect(location == "/console/lead?org=acme&id=\(name)&done=replayed&actions=1", "\(location)")
            #expect(try await Self.statuses(harness, name)[actionID] == "pending")
            let after = try await harness.page(location, cookies: session)
            #expect(after.text.contains(#"<p class="notice" role="status">Replayed 1 dead action.</p>"#), "\(after)")

            let reason = [("reason", "asked by phone <b>")]
            let cancel = try await harness.post("/console/lead/cancel", form: lead + reason, cookies: session)
            #expect(cancel.status == 200 && cancel.text.contains("2 open actions in 1 stage would be canceled"), "\(cancel)")
            #expect(cancel.text.contains(#"name="reason" value="asked by phone &lt;b&gt;""#), "the reason goes on, escaped: \(cancel)")
            let canceled = try await harness.post(
                "/console/lead/cancel", form: lead + reason + [("confirm", "yes"), ("expected", "2")], cookies: session)
            #expect(canceled.status == 303 && canceled.headers["location"]?.hasSuffix("&done=canceled&actions=2") == true, "\(canceled)")
            #expect(Set(try await Self.statuses(harness, name).values) == ["canceled"])
            let again = try await harness.post(
                "/console/lead/cancel", form: lead + reason + [("confirm", "yes"), ("expected", "2")], cookies: session)
            #expect(again.status == 409 && again.text.contains("has no open work"), "\(again)")

            let audit = try await harness.auditLog().filter { $0.target.contains(name) || $0.action.hasPrefix("lead.") }
            #expect(audit.map(\.action) == ["lead.replay", "lead.cancel"], "\(audit.map(\.action))")
            #expect(audit.allSatisfy { $0.actor.name == "ops" && $0.actor.tokenID != nil }, "\(audit.map(\.actor))")
        }
    }

    @Test("a viewer sees no control, and a control it posts anyway — or one without the CSRF token — is refused and changes nothing")
    func refused() async throws {
        try await AdminHarness.with { harness in
            let (viewer, _) = try await harness.token(.viewer, organizations: ["acme"], name: "reader")
            let (operatorToken, _) = try await harness.token(.operator, organizations: ["acme"])
            let (name, actionID) = try await harness.deadLetterLead(in: "acme")
            let session = try await harness.logIn(viewer)
            let page = try await harness.page("/console/lead?org=acme&id=\(name)", cookies: session)
            #expect(page.status == 200 && !page.text.contains("Controls") && !page.text.contains("/console/lead/replay"), "\(page)")
            let csrf = try AdminHarness.csrf(page)
            let forged = try await harness.post(
                "/console/lead/replay", form: [("csrf", csrf), ("org", "acme"), ("id", name), ("confirm", "yes")], cookies: session)
            #expect(forged.status == 403 && forged.text.contains("replayLead needs the operator role; token &#39;reader&#39; is viewer"), "\(forged)")

            let operatorSession = try await harness.logIn(operatorToken)
            for form in [[("org", "acme"), ("id", name), ("confirm", "yes")], [("csrf", csrf), ("org", "acme"), ("id", name), ("confirm", "yes")]] {
                let reply = try await harness.post("/console/lead/replay", form: form, cookies: operatorSession)
                #expect(reply.status == 403 && reply.text.contains("CSRF token is missing or wrong"), "\(reply)")
            }
            let empty = try await harness.post(
                "/console/lead/cancel", form: [("csrf", try AdminHarness.csrf(try await harness.page("/console/leads", cookies: operatorSession))),
                    ("org", "acme"), ("id", name), ("reason", "")], cookies: operatorSession)
            #expect(empty.status == 400 && empty.text.contains("reason must be 1…500 characters long"), "\(empty)")
            #expect(try await ConsoleControlTests.statuses(harness, name)[actionID] == "dead")
            #expect(try await harness.auditLog().filter { $0.action.hasPrefix("lead.") }.isEmpty)
        }
    }
}
