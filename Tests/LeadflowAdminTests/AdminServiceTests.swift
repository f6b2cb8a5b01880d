import Curl
import Foundation
import LeadflowAdmin
import LeadflowDomain
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// The service's behaviour beyond access rules: health and readiness, the bad-token limit, what the
/// controls change in the store, tokens and the audit log's scope.
@Suite("Admin API: service")
struct AdminServiceTests {
    @Test("/healthz answers without a token; /readyz is 200 on a migrated database and 503 naming the cause otherwise")
    func healthAndReadiness() async throws {
        try await AdminHarness.with { harness in
            let health = try await harness.call(.get, "/healthz")
            #expect(health.status == 200 && health.json["status"] as? String == "ok", "\(health)")
            let ready = try await harness.call(.get, "/readyz")
            #expect(ready.status == 200 && ready.json["schema_version"] as? Int == Migration.all.last?.version, "\(ready)")
        }
        try await AdminHarness.with(migrated: false) { harness in
            let ready = try await harness.call(.get, "/readyz")
            #expect(ready.status == 503 && ready.contentType == "application/problem+json", "\(ready)")
            #expect((ready.json["detail"] as? String)?.hasPrefix("the database lacks migrations 1 (organizations_and_pipelines)") == true, "\(ready)")
            #expect(try await harness.call(.get, "/healthz").status == 200)
        }
        let closed = try LoopbackPort.unused()
        try await AdminHarness.serve(databaseURL: "postgres://leadflow@127.0.0.1:\(closed)/leadflow") { harness in
            let ready = try await harness.call(.get, "/readyz")
            #expect(ready.status == 503, "\(ready)")
            #expect((ready.json["detail"] as? String)?.hasPrefix("the database is unreachable") == true, "\(ready)")
            #expect(try await harness.call(.get, "/healthz").status == 200)
        }
    }

    @Test("after admin.bad_token_limit bad tokens an address gets 429 with Retry-After, a good token too; health stays open")
    func badTokensAreLimited() async throws {
        var configuration = AdminConfiguration()
        configuration.badTokenLimit = 3
        configuration.badTokenWindow = .seconds(300)
        try await AdminHarness.with(configuration: configuration) { harness in
            let (good, _) = try await harness.token(.viewer)
            // No token at all is not a guess: it costs nothing.
            for _ in 0..<5 { #expect(try await harness.call(.get, "/v1/token").status == 401) }
            #expect(try await harness.call(.get, "/v1/token", token: good).status == 200)
            for _ in 0..<3 {
                let guess = try await harness.call(.get, "/v1/token", token: AdminTokenSecret.generate().revealed)
                #expect(guess.status == 401, "\(guess)")
            }
            for token in [AdminTokenSecret.generate().revealed, good] {
                let refused = try await harness.call(.get, "/v1/dead-letters", token: token)
                #expect(refused.status == 429, "\(refused)")
                #expect(refused.json["type"] as? String == "urn:leadflow:problem:too-many-requests")
                // 3 tries per 300 s: the next one comes after 100 s.
                let retryAfter = try #require(refused.headers["retry-after"].flatMap(Int.init), "\(refused.headers)")
                #expect((99...100).contains(retryAfter), "\(retryAfter)")
            }
            #expect(try await harness.call(.get, "/healthz").status == 200)
        }
    }

    @Test("replay makes a dead letter pending with a fresh budget, discard cancels it; both in the store")
    func controls() async throws {
        try await AdminHarness.with { harness in
            let operatorName = "replayer"
            let (operatorToken, _) = try await harness.token(.operator, organizations: ["acme"], name: operatorName)
            let ids = try await harness.deadLetters(["ada", "bob"], org: "acme")
            let (ada, bob) = (try #require(ids["ada"]), try #require(ids["bob"]))

            let listed = try await harness.call(.get, "/v1/dead-letters?org=acme&type=email&error=NO%20SUCH", token: operatorToken)
            let letters = try #require(listed.json["dead_letters"] as? [[String: Any]], "\(listed)")
            #expect(Set(letters.compactMap { $0["id"] as? Int }) == [ada, bob])
            #expect(letters.allSatisfy { $0["replayable"] as? Bool == true && $0["last_error"] as? String == "550 no such user" })

            let page = try await harness.call(.get, "/v1/dead-letters?limit=1", token: operatorToken)
            let cursor = try #require(page.json["next_cursor"] as? String, "\(page)")
            let rest = try await harness.call(.get, "/v1/dead-letters?limit=1&cursor=\(cursor)", token: operatorToken)
            #expect(rest.json["next_cursor"] == nil, "\(rest)")
            let pages = [page, rest].flatMap { ($0.json["dead_letters"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int } }
            #expect(Set(pages) == [ada, bob])

            #expect(try await harness.call(.post, "/v1/dead-letters/\(ada)/replay", token: operatorToken).status == 200)
            #expect(try await harness.call(.post, "/v1/dead-letters/\(bob)/discard", token: operatorToken).status == 200)
            let statuses = try await harness.inTransaction { connection in
                try connection.query("SELECT id, status, attempts FROM lead_stage_actions WHERE id = ANY ($1::bigint[]) ORDER BY id", [[ada, bob]])
                    .map { try $0.decode((Int, String, Int).self) }
            }
            #expect(statuses.map(\.1) == ["pending", "canceled"], "\(statuses)")
            #expect(statuses.first?.2 == 0)
            // The lead's history keeps the replay and the token that made it.
            let history = try await harness.inTransaction { connection in
                try connection.query("SELECT kind, actor FROM lead_history WHERE action_id = $1 AND kind = 'action_replayed'", [ada])
                    .map { try $0.decode((String, String?).self) }
            }
            #expect(history.map(\.1) == ["token:\(operatorName)"], "\(history)")
            let shown = try await harness.call(.get, "/v1/dead-letters/\(bob)", token: operatorToken)
            #expect((shown.json["dead_letter"] as? [String: Any])?["status"] as? String == "canceled", "\(shown)")
            #expect((shown.json["config"] as? [String: Any])?["email"] != nil, "\(shown)")
        }
    }

    @Test("limits: PUT replaces a channel's own limits ({} back to the defaults), GET shows every channel, the audit keeps the previous")
    func limits() async throws {
        try await AdminHarness.with { harness in
            let (admin, _) = try await harness.token(.admin)
            _ = try await harness.deadLetter(in: "acme")
            let set = try await harness.call(
                .put, "/v1/organizations/acme/limits/sms", token: admin, json: #"{"max_in_flight": 7, "rate_per_second": 0.5}"#)
            #expect(set.status == 200, "\(set)")
            let replaced = try await harness.call(.put, "/v1/organizations/acme/limits/sms", token: admin, json: #"{"burst": 3}"#)
            let channels = try #require(replaced.json["channels"] as? [[String: Any]], "\(replaced)")
            #expect(channels.map { $0["channel"] as? String } == ["email", "sms", "webhook"])
            #expect(channels[1]["burst"] as? Int == 3 && channels[1]["max_in_flight"] == nil && channels[1]["rate_per_second"] == nil, "\(channels)")
            let stored = try await harness.inTransaction { try OrganizationLimits.list(org: "acme", on: $0) }
            #expect(stored.first { $0.channel == .sms }.map { ($0.maxInFlight, $0.burst) } ?? (0, 0) == (nil, 3))

            let reset = try await harness.call(.put, "/v1/organizations/acme/limits/sms", token: admin, json: "{}")
            #expect((reset.json["channels"] as? [[String: Any]])?[1]["burst"] == nil, "\(reset)")
            let got = try await harness.call(.get, "/v1/organizations/acme/limits", token: admin)
            #expect(got.json["organization"] as? String == "acme" && (got.json["channels"] as? [Any])?.count == 3, "\(got)")

            let entries = try await harness.auditLog().filter { $0.action == AuditAction.organizationLimitsSet.rawValue }
            #expect(entries.count == 3)
            let second = try entries[1].detail.decode(LimitsChange.self)
            #expect(second.channel == "sms")
            #expect(second.previous == LimitsSnapshot(max_in_flight: 7, rate_per_second: 0.5, burst: nil))
            #expect(second.limits == LimitsSnapshot(max_in_flight: nil, rate_per_second: nil, burst: 3))
        }
    }

    @Test("tokens: made through the API they work at once, a revoked one stops at once, listings and the audit follow the scope")
    func tokens() async throws {
        try await AdminHarness.with { harness in
            let (root, _) = try await harness.token(.admin, name: "root")
            let made = try await harness.call(
                .post, "/v1/tokens", token: root, json: #"{"name": "acme-admin", "role": "admin", "organizations": ["acme"]}"#)
            #expect(made.status == 201, "\(made)")
            let secret = try #require(made.json["secret"] as? String)
            #expect(AdminTokenSecret.isWellFormed(secret))
            let id = try #require((made.json["token"] as? [String: Any])?["id"] as? Int)
            let stored = try await harness.inTransaction { try AdminTokens.find(id: id, on: $0) }
            #expect(stored?.scope == .organizations(["acme"]))
            let hashes = try await harness.inTransaction { connection in
                try connection.query("SELECT token_hash FROM admin_tokens").map { try $0.decode(String.self, at: 0) }
            }
            #expect(hashes.contains(AdminTokenSecret.hash(.init(secret))) && !hashes.contains(secret))

            let me = try await harness.call(.get, "/v1/token", token: secret)
            #expect(me.json["name"] as? String == "acme-admin" && me.json["organizations"] as? [String] == ["acme"], "\(me)")
            // last_used_at is written on use, then at most once a minute.
            let firstUse = try #require(try await harness.inTransaction { try AdminTokens.find(id: id, on: $0) }?.lastUsedAt)
            #expect(try await harness.call(.get, "/v1/token", token: secret).status == 200)
            #expect(try await harness.inTransaction { try AdminTokens.find(id: id, on: $0) }?.lastUsedAt == firstUse)
            // A token for acme sees acme's tokens and entries only.
            _ = try await harness.token(.viewer, organizations: ["globex"], name: "globex-viewer")
            let tokens = try await harness.call(.get, "/v1/tokens", token: secret)
            #expect((tokens.json["tokens"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["acme-admin"], "\(tokens)")
            let audit = try await harness.call(.get, "/v1/audit", token: secret)
            let targets = (audit.json["entries"] as? [[String: Any]])?.compactMap { $0["target"] as? String }
            #expect(targets == ["token:\(id)"], "\(audit)")

            #expect(try await harness.call(.delete, "/v1/tokens/\(id)", token: root).status == 200)
            let after = try await harness.call(.get, "/v1/token", token: secret)
            #expect(after.status == 401 && (after.json["detail"] as? String)?.hasPrefix("token 'acme-admin' was revoked") == true, "\(after)")
            let listed = try await harness.call(.get, "/v1/tokens?include_revoked=true", token: root)
            #expect((listed.json["tokens"] as? [[String: Any]])?.contains { $0["id"] as? Int == id && $0["revoked_at"] != nil } == true)
        }
    }
}

/// An `organization.limits.set` audit entry's detail.
struct LimitsChange: Codable {
    let channel: String
    let previous: LimitsSnapshot
    let limits: LimitsSnapshot
}

/// The limits of an `organization.limits.set` audit entry.
struct LimitsSnapshot: Codable, Equatable {
    let max_in_flight: Int?
    let rate_per_second: Double?
    let burst: Int?
}
