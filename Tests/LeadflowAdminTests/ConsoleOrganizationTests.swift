import Curl
import Foundation
import LeadflowAdmin
import LeadflowTestKit
import Testing

/// An organization's page in the console: its limits and work in flight, its pauses, and pausing and resuming
/// for an operator — which the leads' "why it waits" then shows.
@Suite("Console: an organization's page")
struct ConsoleOrganizationTests {
    /// The scopes of `org` paused now.
    static func paused(_ harness: AdminHarness, _ org: String) async throws -> [String] {
        try await harness.inTransaction { connection in
            try connection.query(
                "SELECT scope FROM organization_pauses WHERE org_id = $1 AND resumed_at IS NULL ORDER BY scope", [org]
            ).map { try $0.decode(String.self, at: 0) }
        }
    }

    @Test("an operator pauses all of an organization's work — its lead's action then waits for the pause — and resumes it")
    func pauseAndResume() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.operator, organizations: ["acme"], name: "ops")
            let (name, actionID) = try await harness.deadLetterLead(in: "acme")
            let session = try await harness.logIn(token)
            let page = try await harness.page("/console/org", cookies: session)
            #expect(page.status == 200 && page.text.contains("<h1>acme</h1>"), "a token of one organization opens it: \(page)")
            #expect(page.text.contains("None: its work runs.") && page.text.contains("<td>email</td><td>0</td>"), "\(page)")
            #expect(page.text.contains("(default)"), "limits that are the defaults say so: \(page)")
            let csrf = try AdminHarness.csrf(page)

            // The dead email due again, so that a pause holds it.
            let lead = [("csrf", csrf), ("org", "acme"), ("id", name)]
            _ = try await harness.post("/console/lead/replay", form: lead + [("confirm", "yes"), ("expected", "1")], cookies: session)
            #expect(try await ConsoleControlTests.statuses(harness, name)[actionID] == "pending")

            let pause = try await harness.post(
                "/console/org/pause", form: [("csrf", csrf), ("org", "acme"), ("scope", "all"), ("reason", "customer's request <b>")],
                cookies: session)
            #expect(pause.status == 303 && pause.headers["location"] == "/console/org?org=acme&done=paused&scope=all", "\(pause)")
            #expect(try await Self.paused(harness, "acme") == ["all"])
            let paused = try await harness.page(pause.headers["location"] ?? "", cookies: session)
            #expect(paused.text.contains(#"<p class="notice" role="status">Paused all work.</p>"#), "\(paused)")
            #expect(paused.text.contains(#"<tr data-scope="all"><td>all work</td>"#) && paused.text.contains("customer&#39;s request &lt;b&gt;"), "\(paused)")
            #expect(!paused.text.contains(#"<option value="all">"#), "a paused scope is not offered again: \(paused)")
            let why = try await harness.page("/console/lead?org=acme&id=\(name)", cookies: session)
            #expect(why.text.contains(#"data-reason="paused""#), "the lead's action waits for the pause: \(why)")

            let twice = try await harness.post("/console/org/pause", form: [("csrf", csrf), ("org", "acme"), ("scope", "all")], cookies: session)
            #expect(twice.status == 409, "\(twice)")
            let resume = try await harness.post("/console/org/resume", form: [("csrf", csrf), ("org", "acme"), ("scope", "all")], cookies: session)
            #expect(resume.status == 303, "\(resume)")
            #expect(try await Self.paused(harness, "acme").isEmpty)
            let audit = try await harness.auditLog().map(\.action).filter { $0.hasPrefix("organization.") }
            #expect(audit == ["organization.pause", "organization.resume"], "\(audit)")
        }
    }

    @Test("a viewer sees the pauses but no pause or resume, and one it posts is refused; a bad scope is a 400")
    func viewer() async throws {
        try await AdminHarness.with { harness in
            let (viewer, _) = try await harness.token(.viewer, organizations: ["acme"], name: "reader")
            _ = try await harness.deadLetterLead(in: "acme")
            try await harness.setPaused(true, org: "acme", scope: "sms")
            let session = try await harness.logIn(viewer)
            let page = try await harness.page("/console/org?org=acme", cookies: session)
            #expect(page.text.contains(#"<tr data-scope="sms"><td>sms actions</td>"#), "\(page)")
            #expect(!page.text.contains("/console/org/pause") && !page.text.contains("/console/org/resume"), "\(page)")
            let csrf = try AdminHarness.csrf(page)
            let forged = try await harness.post("/console/org/resume", form: [("csrf", csrf), ("org", "acme"), ("scope", "sms")], cookies: session)
            #expect(forged.status == 403 && forged.text.contains("resumeOrganization needs the operator role"), "\(forged)")
            #expect(try await Self.paused(harness, "acme") == ["sms"])

            let (operatorToken, _) = try await harness.token(.operator, organizations: ["acme"])
            let operatorSession = try await harness.logIn(operatorToken)
            let operatorCSRF = try AdminHarness.csrf(try await harness.page("/console/org?org=acme", cookies: operatorSession))
            let bad = try await harness.post(
                "/console/org/pause", form: [("csrf", operatorCSRF), ("org", "acme"), ("scope", "fax")], cookies: operatorSession)
            #expect(bad.status == 400 && bad.text.contains("scope must be one of all, email, sms, webhook"), "\(bad)")
            let elsewhere = try await harness.page("/console/org?org=other", cookies: operatorSession)
            #expect(elsewhere.status == 404, "\(elsewhere)")
        }
    }
}
