import Curl
import Foundation
import LeadflowAdmin
import LeadflowTestKit
import Testing

/// The audit log's page: for admin tokens only, newest first, filtered as the API filters.
@Suite("Console: the audit log")
struct ConsoleAuditTests {
    @Test("an admin reads every change, newest first, and filters by action; other roles get no link and a 403")
    func auditPage() async throws {
        try await AdminHarness.with { harness in
            let (operatorToken, _) = try await harness.token(.operator, organizations: ["acme"], name: "ops")
            let (adminToken, _) = try await harness.token(.admin, name: "boss")
            let (name, _) = try await harness.deadLetterLead(in: "acme")
            let operatorSession = try await harness.logIn(operatorToken)
            let leadPage = try await harness.page("/console/lead?org=acme&id=\(name)", cookies: operatorSession)
            #expect(!leadPage.text.contains("/console/audit"), "no link for an operator: \(leadPage)")
            let csrf = try AdminHarness.csrf(leadPage)
            _ = try await harness.post(
                "/console/lead/replay", form: [("csrf", csrf), ("org", "acme"), ("id", name), ("confirm", "yes"), ("expected", "1")],
                cookies: operatorSession)
            let refused = try await harness.page("/console/audit", cookies: operatorSession)
            #expect(refused.status == 403 && refused.text.contains("listAudit needs the admin role; token &#39;ops&#39; is operator"), "\(refused)")

            let session = try await harness.logIn(adminToken)
            let page = try await harness.page("/console/audit", cookies: session)
            #expect(page.status == 200 && page.text.contains(#"<a href="/console/audit">Audit log</a>"#), "\(page)")
            let replay = try #require(page.text.range(of: "<td>lead.replay</td>"), "\(page)")
            let created = try #require(page.text.range(of: "<td>token.create</td>"), "\(page)")
            #expect(replay.lowerBound < created.lowerBound, "newest first")
            #expect(page.text.contains("<td>ops</td><td>lead.replay</td><td>acme</td>\n<td>lead:acme/\(name)</td>"), "\(page)")
            let filtered = try await harness.page("/console/audit?action=token.create", cookies: session)
            #expect(!filtered.text.contains("<td>lead.replay</td>") && filtered.text.contains("<td>token.create</td>"), "\(filtered)")
            #expect(filtered.text.contains(#"<option value="token.create" selected>"#), "\(filtered)")
            let bad = try await harness.page("/console/audit?action=dance", cookies: session)
            #expect(bad.status == 400 && bad.text.contains("action is not one of the audit log"), "\(bad)")
        }
    }
}
