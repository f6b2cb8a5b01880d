import Curl
import Foundation
import LeadflowAdmin
import LeadflowDomain
import LeadflowStore
import LeadflowTestKit
import Testing

/// Each class of error, as a client sees it: the status, `application/problem+json`, the kind's URN, a
/// detail that names the field, object or state.
@Suite("Admin API: problem documents")
struct ProblemTests {
    /// Checks the document of `reply`: status, content type, `type`, `status`, `field`; returns its detail.
    @discardableResult
    func expectProblem(
        _ reply: AdminHarness.Reply, _ status: Int, _ kind: String, field: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> String {
        #expect(reply.status == status, "\(reply)", sourceLocation: sourceLocation)
        #expect(reply.contentType == "application/problem+json", "\(reply.headers)", sourceLocation: sourceLocation)
        #expect(reply.json["type"] as? String == "urn:leadflow:problem:\(kind)", "\(reply)", sourceLocation: sourceLocation)
        #expect(reply.json["status"] as? Int == status, sourceLocation: sourceLocation)
        #expect((reply.json["title"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(reply.json["field"] as? String == field, "\(reply)", sourceLocation: sourceLocation)
        return reply.json["detail"] as? String ?? ""
    }

    @Test("400 names the field: malformed JSON, a wrong type, an unknown field, a missing field, a bound, a parameter, a large body")
    func badRequests() async throws {
        var configuration = AdminConfiguration()
        configuration.maxBodyBytes = 4096
        try await AdminHarness.with(configuration: configuration) { harness in
            let (admin, _) = try await harness.token(.admin)
            _ = try await harness.deadLetter(in: "acme")
            let limits = "/v1/organizations/acme/limits/email"
            let cases: [(path: String, method: HTTPMethod, json: String?, field: String, detail: String)] = [
                (limits, .put, #"{"burst": "#, "body", "the body is not valid JSON"),
                (limits, .put, #"{"burst": "ten"}"#, "burst", "burst must be an integer"),
                (limits, .put, #"{"burst": 10, "brust": 10}"#, "brust", "unknown field brust"),
                (limits, .put, #"{"burst": 0}"#, "burst", "burst must be 1…10000000 (got 0)"),
                (limits, .put, #"{"burst": null}"#, "burst", "burst must not be null: leave the field out instead"),
                ("/v1/tokens", .post, #"{"name": "x", "role": "viewer", "organizations": ["a", null]}"#, "organizations[1]", "organizations[1] must not be null"),
                (limits, .put, #"{"rate_per_second": -1}"#, "rate_per_second", "rate_per_second must be above 0"),
                (limits, .put, "[]", "body", "body must be"),
                ("/v1/tokens", .post, #"{"role": "viewer"}"#, "name", "name is required"),
                ("/v1/tokens", .post, #"{"name": "x", "role": "root"}"#, "role", "role is not one of the values"),
                ("/v1/tokens", .post, #"{"name": "x", "role": "viewer", "organizations": ["a", "b.c"]}"#, "organizations[1]", "organizations[1] is not an organization id"),
                ("/v1/tokens", .post, #"{"name": "x", "role": "viewer", "organizations": []}"#, "organizations", "organizations must list 1…100"),
                ("/v1/tokens", .post, #"{"name": "x", "role": "viewer", "expires_in": 10}"#, "expires_in", "expires_in must be 60…315360000 (got 10)"),
                ("/v1/tokens", .post, #"{"name": "x", "role": "viewer", "expires_in": "soon"}"#, "expires_in", "expires_in must be an integer"),
                ("/v1/dead-letters?limit=5000", .get, nil, "limit", "limit must be 1…1000 (got 5000)"),
                ("/v1/dead-letters?limit=many", .get, nil, "limit", "limit must be an integer"),
                ("/v1/dead-letters?since=yesterday", .get, nil, "since", "since must be an RFC 3339 date-time"),
                ("/v1/dead-letters?type=fax", .get, nil, "type", "type must be one of email, sms, webhook"),
                ("/v1/dead-letters?cursor=abc", .get, nil, "cursor", "cursor is not a next_cursor"),
                ("/v1/dead-letters?org=a.b", .get, nil, "org", "org is not an organization id"),
                ("/v1/dead-letters?error=a%00b", .get, nil, "error", "error must not contain NUL characters"),
                ("/v1/dead-letters/0", .get, nil, "id", "id must be 1…"),
                ("/v1/dead-letters/x1", .get, nil, "id", "id must be a positive integer"),
                ("/v1/organizations/acme/limits/fax", .put, "{}", "channel", "channel must be one of email, sms, webhook"),
                ("/v1/audit?action=dance", .get, nil, "action", "action must be one of"),
                ("/v1/tokens?include_revoked=maybe", .get, nil, "include_revoked", "include_revoked must be true or false"),
                (limits, .put, "{\"burst\": 1, \"pad\": \"\(String(repeating: "x", count: 5000))\"}", "body", "the request body is larger than admin.max_body_bytes (4096 bytes)"),
            ]
            for test in cases {
                let reply = try await harness.call(test.method, test.path, token: admin, json: test.json)
                let detail = expectProblem(reply, 400, "bad-request", field: test.field)
                #expect(detail.hasPrefix(test.detail), "\(test.path) \(test.json ?? ""): \(detail)")
            }
            // A valid date-time with an offset and many fraction digits is taken.
            let since = try await harness.call(.get, "/v1/dead-letters?since=2026-01-01t00:00:00.123456%2B01:00", token: admin)
            #expect(since.status == 200, "\(since)")
        }
    }

    @Test("401 for no token, another scheme, a malformed, unknown, revoked or expired token; each says which")
    func unauthorized() async throws {
        try await AdminHarness.with { harness in
            let (revoked, revokedID) = try await harness.token(.viewer, name: "gone")
            let (expiring, expiringID) = try await harness.token(.viewer, name: "brief", expiresAt: Date().addingTimeInterval(3600))
            _ = try await harness.inTransaction { connection in
                try TokenAdministration.revoke(id: revokedID, visibleTo: .allOrganizations, by: .init(tokenID: nil, name: "cli:test"), on: connection)
            }
            try await harness.inTransaction { connection in
                _ = try connection.execute("UPDATE admin_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [expiringID])
            }
            let unknown = AdminTokenSecret.generate().revealed
            let cases: [(header: String?, detail: String)] = [
                (nil, "getCurrentToken needs a bearer token"),
                ("Basic dXNlcjpwYXNz", "the Authorization header must be \"Bearer <token>\""),
                ("Bearer not-a-token", "not an admin token"),
                ("Bearer \(unknown)", "unknown token"),
                ("Bearer \(revoked)", "token 'gone' was revoked at "),
                ("Bearer \(expiring)", "token 'brief' expired at "),
            ]
            for test in cases {
                let reply = try await harness.call(.get, "/v1/token", headers: test.header.map { [("Authorization", $0)] } ?? [])
                let detail = expectProblem(reply, 401, "unauthorized")
                #expect(detail.hasPrefix(test.detail), "\(detail)")
                #expect(reply.headers["www-authenticate"] == "Bearer")
            }
            // No token text reaches the log.
            for record in harness.logs.all {
                let line = record.message + record.metadata.description
                #expect(!line.contains(unknown) && !line.contains(revoked) && !line.contains(expiring), "\(line)")
            }
        }
    }

    @Test("403 for a role below the operation's and for granting beyond the token's organizations")
    func forbidden() async throws {
        try await AdminHarness.with { harness in
            let (viewer, _) = try await harness.token(.viewer, name: "reader")
            let replay = try await harness.call(.post, "/v1/dead-letters/1/replay", token: viewer)
            #expect(expectProblem(replay, 403, "forbidden") == "replayDeadLetter needs the operator role; token 'reader' is viewer")

            let (scoped, _) = try await harness.token(.admin, organizations: ["acme"], name: "acme-admin")
            let everywhere = try await harness.call(.post, "/v1/tokens", token: scoped, json: #"{"name": "wide", "role": "viewer"}"#)
            #expect(expectProblem(everywhere, 403, "forbidden").contains("cannot make a token for every organization"))
            let elsewhere = try await harness.call(
                .post, "/v1/tokens", token: scoped, json: #"{"name": "wide", "role": "viewer", "organizations": ["acme", "globex"]}"#)
            #expect(expectProblem(elsewhere, 403, "forbidden").contains("only make tokens for its own organizations"))
        }
    }

    @Test("404 names what was not found, the same for another organization's object; 405 lists the methods; unknown paths are 404")
    func notFound() async throws {
        try await AdminHarness.with { harness in
            let (acme, _) = try await harness.token(.admin, organizations: ["acme"])
            let theirs = try await harness.deadLetter(in: "globex")
            let missing = try await harness.call(.get, "/v1/dead-letters/\(theirs + 1000)", token: acme)
            let hidden = try await harness.call(.get, "/v1/dead-letters/\(theirs)", token: acme)
            #expect(expectProblem(missing, 404, "not-found") == "action \(theirs + 1000) not found")
            #expect(expectProblem(hidden, 404, "not-found") == "action \(theirs) not found")

            let (all, _) = try await harness.token(.admin)
            let org = try await harness.call(.get, "/v1/organizations/nobody/limits", token: all)
            #expect(expectProblem(org, 404, "not-found") == "organization 'nobody' not found")
            let token = try await harness.call(.delete, "/v1/tokens/9999", token: all)
            #expect(expectProblem(token, 404, "not-found") == "token 9999 not found")

            let path = try await harness.call(.get, "/v1/leads", token: all)
            #expect(expectProblem(path, 404, "not-found").hasPrefix("no such path: /v1/leads"))
            let method = try await harness.call(.delete, "/v1/dead-letters/1", token: all)
            #expect(expectProblem(method, 405, "method-not-allowed").hasSuffix("it takes GET"))
            #expect(method.headers["allow"] == "GET")
        }
    }

    @Test("409 with the state: replaying or discarding what is no longer dead, revoking a revoked token, a taken name; nothing is half done")
    func conflicts() async throws {
        try await AdminHarness.with { harness in
            let (operatorToken, _) = try await harness.token(.operator)
            let (admin, _) = try await harness.token(.admin, name: "taken")
            let id = try await harness.deadLetter(in: "acme")
            let first = try await harness.call(.post, "/v1/dead-letters/\(id)/replay", token: operatorToken)
            #expect(first.status == 200, "\(first)")
            #expect(first.json["status"] as? String == "pending")
            #expect(first.json["attempts"] as? Int == 0)
            let entries = try await harness.auditLog().count

            let again = try await harness.call(.post, "/v1/dead-letters/\(id)/replay", token: operatorToken)
            #expect(expectProblem(again, 409, "conflict") == "action \(id) cannot be replayed: not dead (pending)")
            #expect(again.json["state"] as? String == "not dead (pending)")
            let discard = try await harness.call(.post, "/v1/dead-letters/\(id)/discard", token: operatorToken)
            #expect(expectProblem(discard, 409, "conflict") == "action \(id) cannot be discarded: not dead (pending)")
            #expect(try await harness.auditLog().count == entries, "a refused control writes no audit entry")

            let duplicate = try await harness.call(.post, "/v1/tokens", token: admin, json: #"{"name": "taken", "role": "viewer"}"#)
            #expect(expectProblem(duplicate, 409, "conflict").hasPrefix("a token named 'taken' exists"))
            let (_, victim) = try await harness.token(.viewer)
            #expect(try await harness.call(.delete, "/v1/tokens/\(victim)", token: admin).status == 200)
            let twice = try await harness.call(.delete, "/v1/tokens/\(victim)", token: admin)
            #expect(expectProblem(twice, 409, "conflict").contains("was already revoked at"))
        }
    }

    @Test("415 for a body that is not JSON")
    func unsupportedMediaType() async throws {
        try await AdminHarness.with { harness in
            let (admin, _) = try await harness.token(.admin)
            let reply = try await harness.call(
                .post, "/v1/tokens", token: admin, json: #"{"name": "x", "role": "viewer"}"#, contentType: "text/plain")
            expectProblem(reply, 415, "unsupported-media-type")
        }
    }
}
