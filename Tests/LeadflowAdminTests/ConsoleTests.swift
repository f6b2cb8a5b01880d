import Curl
import Foundation
import LeadflowAdmin
import LeadflowSecrets
import LeadflowStore
import LeadflowTestKit
import Testing

/// The web console over HTTP, as a browser meets it: log in with a token, a session cookie, CSRF tokens on
/// forms, pages over real state that show hostile lead fields as text. (ConsoleBrowserTests drives Chromium.)
@Suite("Console: sessions, forms and pages over HTTP")
struct ConsoleTests {
    static let hostileName = #"<script>alert(1)</script>"\#u{301} onmouseover=alert(2) x='"#

    @Test("logging in: the token is exchanged for an HttpOnly, SameSite=Strict session cookie; only its hash is stored")
    func logIn() async throws {
        try await AdminHarness.with { harness in
            let (token, tokenID) = try await harness.token(.viewer, name: "support")
            let form = try await harness.page("/console/login")
            #expect(form.status == 200 && form.text.contains(#"<input id="token" name="token" type="password""#), "\(form)")
            let login = try #require(AdminHarness.setCookie("lf_login", form))
            #expect(login.contains("HttpOnly") && login.contains("SameSite=Strict") && login.contains("Path=/console/login"), "\(login)")
            #expect(!login.contains("Secure"), "plain HTTP on loopback: \(login)")
            #expect(form.headers["content-security-policy"]?.contains("default-src 'none'") == true, "\(form.headers)")
            #expect(form.headers["cache-control"] == "no-store" && form.headers["x-content-type-options"] == "nosniff")

            let nonce = try #require(AdminHarness.cookies(form)["lf_login"])
            let reply = try await harness.post("/console/login", form: [("csrf", nonce), ("token", token)], cookies: ["lf_login": nonce])
            #expect(reply.status == 303 && reply.headers["location"] == "/console/leads", "\(reply)")
            let header = try #require(AdminHarness.setCookie("lf_session", reply))
            #expect(header.contains("HttpOnly") && header.contains("SameSite=Strict") && header.contains("Path=/console"), "\(header)")
            #expect(header.contains("Max-Age=43200"), "\(header)")
            let secret = try #require(AdminHarness.cookies(reply)["lf_session"])
            #expect(secret.hasPrefix("lfs_") && secret.count == 47, "\(secret)")
            let stored = try await harness.inTransaction { connection in
                try connection.query("SELECT session_hash, token_id FROM console_sessions").map { try $0.decode((String, Int).self) }
            }
            #expect(stored.count == 1 && stored[0].0 == AdminTokenSecret.hash(Secret(secret)) && stored[0].1 == tokenID, "\(stored)")

            let leads = try await harness.page("/console/leads", cookies: ["lf_session": secret])
            #expect(leads.status == 200 && leads.text.contains("support · viewer"), "\(leads)")
            let logged = harness.logs.all.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
            #expect(logged.contains("console login") && !logged.contains(secret) && !logged.contains(token), "\(logged)")

            // Over TLS, as the proxy says, the cookies are Secure.
            let proxied = try await harness.page("/console/login", headers: [("X-Forwarded-Proto", "https")])
            #expect(AdminHarness.setCookie("lf_login", proxied)?.contains("Secure") == true, "\(proxied.headers)")
        }
    }

    @Test("a login without the form's own token, from another site, or with a bad token is refused and says why")
    func refusedLogins() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.viewer)
            let form = try await harness.page("/console/login")
            let nonce = try #require(AdminHarness.cookies(form)["lf_login"])
            let cases: [(form: [(String, String)], cookies: [String: String], headers: [(String, String)], status: Int, says: String)] = [
                ([("token", token)], ["lf_login": nonce], [], 403, "The login form expired or came from elsewhere"),
                ([("csrf", "forged"), ("token", token)], ["lf_login": nonce], [], 403, "The login form expired or came from elsewhere"),
                ([("csrf", nonce), ("token", token)], [:], [], 403, "The login form expired or came from elsewhere"),
                ([("csrf", nonce), ("token", token)], ["lf_login": nonce], [("Sec-Fetch-Site", "cross-site")], 403, "must be posted from the console"),
                ([("csrf", nonce), ("token", "")], ["lf_login": nonce], [], 400, "Enter an admin token."),
                ([("csrf", nonce), ("token", "lfa_" + String(repeating: "A", count: 43))], ["lf_login": nonce], [], 401, "unknown token"),
                ([("csrf", nonce), ("token", "hunter2")], ["lf_login": nonce], [], 401, "not an admin token"),
            ]
            for test in cases {
                let reply = try await harness.post("/console/login", form: test.form, cookies: test.cookies, headers: test.headers)
                #expect(reply.status == test.status && reply.text.contains(test.says), "\(test.form) \(test.headers): \(reply)")
                #expect(AdminHarness.cookies(reply)["lf_session"] == nil, "\(reply.headers)")
            }
            let sessions = try await harness.inTransaction { try $0.query("SELECT count(*) FROM console_sessions")[0].decode(Int.self, at: 0) }
            #expect(sessions == 0)
        }
    }

    @Test("pages need a live session of a usable token: none, a forged one, an expired one or a revoked token's goes to the login")
    func sessionsEnd() async throws {
        try await AdminHarness.with { harness in
            let (token, tokenID) = try await harness.token(.viewer)
            let (other, _) = try await harness.token(.viewer)
            let session = try await harness.logIn(token)
            let expiring = try await harness.logIn(other)
            #expect(try await harness.page("/console/leads", cookies: session).status == 200)
            for cookies in [[:], ["lf_session": "lfs_" + String(repeating: "A", count: 43)], ["lf_session": "junk"]] {
                let reply = try await harness.page("/console/leads", cookies: cookies)
                #expect(reply.status == 303 && reply.headers["location"] == "/console/login", "\(cookies): \(reply)")
            }
            _ = try await harness.inTransaction { connection in
                try connection.execute("UPDATE admin_tokens SET revoked_at = now() WHERE id = $1", [tokenID])
                try connection.execute(
                    "UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE token_id <> $1", [tokenID])
            }
            for cookies in [session, expiring] {
                let reply = try await harness.page("/console/lead?org=acme&id=x", cookies: cookies)
                #expect(reply.status == 303 && reply.headers["location"] == "/console/login", "\(reply)")
            }
        }
    }

    @Test("find a lead by email, read its fields, why its action waits and its timeline; hostile fields show as text")
    func leadPages() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.viewer, organizations: ["acme"])
            let (name, actionID) = try await harness.deadLetterLead(in: "acme")
            _ = try await harness.inTransaction { connection in
                try connection.execute(
                    """
                    UPDATE leads SET first_name = $1, attributes = jsonb_build_object('plan', $1::text),
                        email = external_id || '@example.org' WHERE external_id = $2
                    """,
                    [Self.hostileName, name])
            }
            let session = try await harness.logIn(token)
            let search = try await harness.page("/console/leads?org=acme&by=email&value=\(name)%40example.org", cookies: session)
            #expect(search.status == 200 && search.text.contains("1 found"), "\(search)")
            #expect(search.text.contains(#"<a href="/console/lead?org=acme&amp;id=\#(name)">\#(name)</a>"#), "\(search)")
            let none = try await harness.page("/console/leads?org=acme&by=phone&value=%2B15550000", cookies: session)
            #expect(none.text.contains("No lead of acme has that phone."), "\(none)")

            let page = try await harness.page("/console/lead?org=acme&id=\(name)", cookies: session)
            #expect(page.status == 200, "\(page)")
            #expect(page.text.contains("\(name)@example.org"), "the email: \(page)")
            #expect(page.text.contains("#\(actionID) email") && page.text.contains(#"data-reason="dead""#), "the dead action: \(page)")
            #expect(page.text.contains("550 no such user"), "its error: \(page)")
            #expect(page.text.contains("<td>action_dead</td>") && page.text.contains("<td>created</td>"), "the timeline: \(page)")
            // The hostile name, in the heading, a field and an attribute, is text everywhere.
            #expect(!page.text.contains("<script>alert") && !page.text.contains("x='"), "\(page)")
            let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;\u{301} onmouseover=alert(2) x=&#39;"
            #expect(page.text.components(separatedBy: escaped).count == 4, "heading, name and attribute, escaped: \(page)")
        }
    }

    @Test("a lead's page shows its latest 100 events, the newest first, however long its history")
    func latestEvents() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.viewer)
            let (name, _) = try await harness.deadLetterLead(in: "acme")
            // 1,500 more events after the lead's own, numbered in the order they happened.
            _ = try await harness.inTransaction { connection in
                try connection.execute(
                    """
                    INSERT INTO lead_history (occurred_at, org_id, lead_id, kind, reason)
                    SELECT clock_timestamp() + n * interval '1 millisecond', 'acme', l.id, 'note', 'event ' || n
                    FROM leads l, generate_series(1, 1500) n WHERE l.external_id = $1
                    """, [name])
            }
            let session = try await harness.logIn(token)
            let page = try await harness.page("/console/lead?org=acme&id=\(name)", cookies: session)
            let shown = page.text.components(separatedBy: "<td>note</td>").count - 1
            #expect(shown == 100, "\(shown) events shown")
            let newest = try #require(page.text.range(of: "event 1500"), "the newest event is shown")
            let older = try #require(page.text.range(of: "event 1401"), "the 100th newest is shown")
            #expect(newest.lowerBound < older.lowerBound, "newest first")
            #expect(!page.text.contains("event 1400<"), "the 101st newest is not")
            #expect(page.text.contains("The latest 100 events"), "\(page.text.suffix(400))")
        }
    }

    @Test("a token sees only its organizations; unknown leads and bad queries are pages with the API's problem")
    func problems() async throws {
        try await AdminHarness.with { harness in
            let (name, _) = try await harness.deadLetterLead(in: "acme")
            _ = try await harness.deadLetterLead(in: "other")
            let (token, _) = try await harness.token(.operator, organizations: ["other"])
            let session = try await harness.logIn(token)
            let cases: [(path: String, status: Int, says: String)] = [
                ("/console/lead?org=acme&id=\(name)", 404, "organization &#39;acme&#39; not found"),
                ("/console/lead?org=other&id=nobody", 404, "no lead &quot;nobody&quot; in organization &quot;other&quot;"),
                ("/console/lead?id=x", 400, "org is required"),
                ("/console/lead?org=other&id=%ZZ", 400, "the page&#39;s query could not be read"),
            ]
            for test in cases {
                let reply = try await harness.page(test.path, cookies: session)
                #expect(reply.status == test.status && reply.text.contains(test.says), "\(test.path): \(reply)")
                #expect(reply.text.contains("operator"), "the page keeps its header: \(reply)")
            }
            let search = try await harness.page("/console/leads?org=acme&by=email&value=\(name)%40example.org", cookies: session)
            #expect(search.status == 200 && search.text.contains("organization &#39;acme&#39; not found"), "\(search)")
        }
    }

    @Test("with the database unreachable a page is a 500 page, the cause in the log at error level")
    func databaseDown() async throws {
        try await AdminHarness.serve(databaseURL: "postgres://nobody@127.0.0.1:1/none") { harness in
            let reply = try await harness.page("/console/leads", cookies: ["lf_session": "lfs_" + String(repeating: "A", count: 43)])
            #expect(reply.status == 500 && reply.text.contains("the console could not answer"), "\(reply)")
            #expect(reply.headers["content-security-policy"] != nil, "a console page, with its headers")
            #expect(harness.logs.all.contains { $0.level == .error && $0.message == "console page failed" })
        }
    }

    @Test("logging out needs the session's CSRF token, then ends the session")
    func logOut() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.viewer)
            let session = try await harness.logIn(token)
            let page = try await harness.page("/console/leads", cookies: session)
            let csrf = try AdminHarness.csrf(page)
            let forged = try await harness.post("/console/logout", form: [("csrf", "x")], cookies: session)
            #expect(forged.status == 403 && forged.text.contains("CSRF token is missing or wrong"), "\(forged)")
            let missing = try await harness.post("/console/logout", form: [], cookies: session)
            #expect(missing.status == 403, "\(missing)")
            #expect(try await harness.page("/console/leads", cookies: session).status == 200, "a refused logout ends nothing")
            let out = try await harness.post("/console/logout", form: [("csrf", csrf)], cookies: session)
            #expect(out.status == 303 && out.headers["location"] == "/console/login", "\(out)")
            #expect(AdminHarness.setCookie("lf_session", out)?.contains("Max-Age=0") == true, "\(out.headers)")
            let after = try await harness.page("/console/leads", cookies: session)
            #expect(after.status == 303, "the session is gone: \(after)")
        }
    }
}
