import Curl
import Foundation
import LeadflowAdmin
import LeadflowDomain
import LeadflowPipeline
import LeadflowSecrets
import LeadflowStore
import LeadflowTestKit
import Testing

/// Roles and organization scope for every operation of openapi/admin.yaml, from a table with one row per
/// operation: an operation the document gains without a row here fails the first test.
@Suite("Admin API: roles and organization scope of every operation")
struct OperationAccessTests {
    static let org = "acme"
    static let otherOrg = "globex"

    /// What a token scoped to another organization gets.
    enum OtherOrganization: Sendable {
        /// Nothing to do with organizations (the health endpoints, the token itself): the same as its own.
        case unaffected
        /// A 404, as for an object that does not exist.
        case notFound
        /// A listing without the organization's object: `key` of the body does not mention `marker`.
        case notListed(key: String)
        /// A 403: it may not grant what it does not have.
        case forbidden
    }

    /// One operation: how to call it on something of `org` (made fresh for each call), what success is, what
    /// another organization's token gets, and the audit entry a success writes.
    struct Row: Sendable {
        let success: Int
        let otherOrganization: OtherOrganization
        /// The audit action and target prefix a successful call records; nil for reads.
        let audit: (action: AuditAction, target: String)?
        /// The type of the body `prepare` returns.
        var contentType = "application/json"
        /// A change a lead makes itself (a one-click unsubscribe): in the lead's history, not the audit log,
        /// which is for the acts of tokens.
        var changesOnlyLeadHistory = false
        /// Path parameters, query and body for a call about `org`, and a marker a listing would show.
        let prepare: @Sendable (AdminHarness, String) async throws -> (parameters: [String: String], query: String, json: String?, marker: String)
    }

    static let rows: [String: Row] = [
        "getHealth": Row(success: 200, otherOrganization: .unaffected, audit: nil) { _, _ in ([:], "", nil, "") },
        "getReadiness": Row(success: 200, otherOrganization: .unaffected, audit: nil) { _, _ in ([:], "", nil, "") },
        "getCurrentToken": Row(success: 200, otherOrganization: .unaffected, audit: nil) { _, _ in ([:], "", nil, "") },
        "listDeadLetters": Row(success: 200, otherOrganization: .notListed(key: "dead_letters"), audit: nil) { harness, org in
            let id = try await harness.deadLetter(in: org)
            return ([:], "?limit=1000", nil, "\"id\":\(id)")
        },
        "getDeadLetter": Row(success: 200, otherOrganization: .notFound, audit: nil) { harness, org in
            (["id": "\(try await harness.deadLetter(in: org))"], "", nil, "")
        },
        "replayDeadLetter": Row(success: 200, otherOrganization: .notFound, audit: (.deadLetterReplay, "dead_letter:")) {
            harness, org in (["id": "\(try await harness.deadLetter(in: org))"], "", nil, "")
        },
        "discardDeadLetter": Row(success: 200, otherOrganization: .notFound, audit: (.deadLetterDiscard, "dead_letter:")) {
            harness, org in (["id": "\(try await harness.deadLetter(in: org))"], "", nil, "")
        },
        "getOrganizationLimits": Row(success: 200, otherOrganization: .notFound, audit: nil) { harness, org in
            _ = try await harness.deadLetter(in: org)  // the organization exists from its first pipeline
            return (["org": org], "", nil, "")
        },
        "setChannelLimits": Row(success: 200, otherOrganization: .notFound, audit: (.organizationLimitsSet, "organization:")) {
            harness, org in
            _ = try await harness.deadLetter(in: org)
            return (["org": org, "channel": "email"], "", #"{"max_in_flight": 20, "burst": 5}"#, "")
        },
        "listPauses": Row(success: 200, otherOrganization: .notFound, audit: nil) { harness, org in
            _ = try await harness.deadLetter(in: org)
            return (["org": org], "", nil, "")
        },
        "pauseOrganization": Row(success: 200, otherOrganization: .notFound, audit: (.organizationPause, "organization:")) {
            harness, org in
            _ = try await harness.deadLetter(in: org)
            // SMS: a paused email channel would keep the seed's emails from dying.
            try await harness.setPaused(false, org: org, scope: "sms")
            return (["org": org, "scope": "sms"], "", #"{"reason": "provider incident"}"#, "")
        },
        "resumeOrganization": Row(success: 200, otherOrganization: .notFound, audit: (.organizationResume, "organization:")) {
            harness, org in
            _ = try await harness.deadLetter(in: org)
            try await harness.setPaused(true, org: org, scope: "sms")
            return (["org": org, "scope": "sms"], "", nil, "")
        },
        "searchLeads": Row(success: 200, otherOrganization: .notFound, audit: nil) { harness, org in
            (["org": org], "?by=external_id&value=\(try await harness.deadLetterLead(in: org).name)", nil, "")
        },
        "getLead": Row(success: 200, otherOrganization: .notFound, audit: nil) { harness, org in
            (["org": org, "external_id": try await harness.deadLetterLead(in: org).name], "", nil, "")
        },
        "getLeadTimeline": Row(success: 200, otherOrganization: .notFound, audit: nil) { harness, org in
            (["org": org, "external_id": try await harness.deadLetterLead(in: org).name], "?limit=5", nil, "")
        },
        "cancelLead": Row(success: 200, otherOrganization: .notFound, audit: (.leadCancel, "lead:")) { harness, org in
            (["org": org, "external_id": try await harness.deadLetterLead(in: org).name], "", #"{"reason": "wrong list"}"#, "")
        },
        "moveLead": Row(success: 200, otherOrganization: .notFound, audit: (.leadMove, "lead:")) { harness, org in
            (
                ["org": org, "external_id": try await harness.deadLetterLead(in: org).name], "",
                #"{"pipeline": "welcome", "stage": "later"}"#, ""
            )
        },
        "replayLead": Row(success: 200, otherOrganization: .notFound, audit: (.leadReplay, "lead:")) { harness, org in
            (["org": org, "external_id": try await harness.deadLetterLead(in: org).name], "", "{}", "")
        },
        "cancelPipelineLeads": Row(success: 200, otherOrganization: .notFound, audit: (.leadCancel, "pipeline:")) {
            harness, org in
            try await harness.onlyOneLeadInPipeline(org: org)
            return (["org": org, "pipeline": "welcome"], "", #"{"reason": "campaign stopped", "stage": "hello"}"#, "")
        },
        "movePipelineLeads": Row(success: 200, otherOrganization: .notFound, audit: (.leadMove, "pipeline:")) {
            harness, org in
            try await harness.onlyOneLeadInPipeline(org: org)
            return (["org": org, "pipeline": "welcome"], "", #"{"stage": "later", "from_stage": "hello"}"#, "")
        },
        "listPipelines": Row(success: 200, otherOrganization: .notFound, audit: nil) { harness, org in
            _ = try await harness.deadLetter(in: org)
            return (["org": org], "", nil, "")
        },
        "getPipeline": Row(success: 200, otherOrganization: .notFound, audit: nil) { harness, org in
            _ = try await harness.deadLetter(in: org)
            return (["org": org, "pipeline": "welcome"], "", nil, "")
        },
        "pausePipeline": Row(success: 200, otherOrganization: .notFound, audit: (.organizationPause, "organization:")) {
            harness, org in
            // Not `welcome`: a paused welcome would hold the other rows' seeds.
            try await harness.storePipeline("spring", in: org)
            try await harness.setPaused(false, org: org, scope: "pipeline")
            return (["org": org, "pipeline": "spring"], "", #"{"reason": "copy review"}"#, "")
        },
        "resumePipeline": Row(success: 200, otherOrganization: .notFound, audit: (.organizationResume, "organization:")) {
            harness, org in
            try await harness.storePipeline("spring", in: org)
            try await harness.setPaused(true, org: org, scope: "pipeline", pipeline: "spring")
            return (["org": org, "pipeline": "spring"], "", nil, "")
        },
        "listTokens": Row(success: 200, otherOrganization: .notListed(key: "tokens"), audit: nil) { harness, org in
            let (_, id) = try await harness.token(.viewer, organizations: [org])
            return ([:], "", nil, "\"id\":\(id),")
        },
        "createToken": Row(success: 201, otherOrganization: .forbidden, audit: (.tokenCreate, "token:")) { _, org in
            ([:], "", #"{"name": "made-\#(UInt32.random(in: 0...UInt32.max))", "role": "viewer", "organizations": ["\#(org)"]}"#, "")
        },
        "revokeToken": Row(success: 200, otherOrganization: .notFound, audit: (.tokenRevoke, "token:")) { harness, org in
            (["id": "\(try await harness.token(.viewer, organizations: [org]).id)"], "", nil, "")
        },
        "getUnsubscribePage": Row(success: 200, otherOrganization: .unaffected, audit: nil) { harness, org in
            (["token": try await harness.unsubscribeToken(in: org)], "", nil, "")
        },
        "unsubscribeOneClick": Row(
            success: 200, otherOrganization: .unaffected, audit: nil, contentType: "application/x-www-form-urlencoded",
            changesOnlyLeadHistory: true
        ) { harness, org in
            (["token": try await harness.unsubscribeToken(in: org)], "", "List-Unsubscribe=One-Click", "")
        },
        "listAudit": Row(success: 200, otherOrganization: .notListed(key: "entries"), audit: nil) { harness, org in
            let (_, id) = try await harness.token(.viewer, organizations: [org])
            return ([:], "?limit=1000", nil, "\"target\":\"token:\(id)\"")
        },
    ]

    @Test("every operation of openapi/admin.yaml has a row here and a role in AdminOperation, and nothing else does")
    func everyOperationHasARow() throws {
        let documented = Set(try AdminContract.operations().map(\.id))
        #expect(!documented.isEmpty)
        #expect(Set(Self.rows.keys) == documented, "rows without operations: \(Set(Self.rows.keys).subtracting(documented)); operations without rows: \(documented.subtracting(Self.rows.keys))")
        #expect(Set(AdminOperation.allCases.map(\.rawValue)) == documented)
        for operation in try AdminContract.operations() {
            #expect(operation.isPublic == (AdminOperation(rawValue: operation.id)?.requiredRole == nil), "\(operation)")
        }
    }

    @Test("each role gets its operations and 403 for the others; another organization's token sees nothing; no token is 401")
    func rolesAndScope() async throws {
        let operations = try AdminContract.operations()
        try await AdminHarness.with { harness in
            var tokens: [AdminRole: String] = [:]
            var otherTokens: [AdminRole: String] = [:]
            for role in AdminRole.allCases {
                tokens[role] = try await harness.token(role, organizations: [Self.org]).secret
                otherTokens[role] = try await harness.token(role, organizations: [Self.otherOrg]).secret
            }
            _ = try await harness.deadLetter(in: Self.otherOrg)  // the other organization exists too
            for operation in operations {
                let row = try #require(Self.rows[operation.id], "\(operation)")
                let required = AdminOperation(rawValue: operation.id)?.requiredRole

                func call(_ token: String?) async throws -> (AdminHarness.Reply, String) {
                    let (parameters, query, json, marker) = try await row.prepare(harness, Self.org)
                    return (
                        try await harness.call(
                            HTTPMethod(rawValue: operation.method), operation.path(parameters) + query, token: token, json: json,
                            contentType: row.contentType),
                        marker
                    )
                }

                for role in AdminRole.allCases {
                    let (reply, _) = try await call(tokens[role])
                    if required.map(role.allows) ?? true {
                        #expect(reply.status == row.success, "\(operation) as \(role): \(reply)")
                    } else {
                        #expect(reply.status == 403, "\(operation) as \(role): \(reply)")
                        let detail = reply.json["detail"] as? String ?? ""
                        #expect(detail.contains("needs the \(required!.rawValue) role") && detail.hasSuffix("is \(role.rawValue)"), "\(reply)")
                    }
                }

                let (anonymous, _) = try await call(nil)
                #expect(anonymous.status == (required == nil ? row.success : 401), "\(operation) without a token: \(anonymous)")

                guard let required else { continue }
                let (other, marker) = try await call(otherTokens[required])
                switch row.otherOrganization {
                case .unaffected:
                    #expect(other.status == row.success, "\(operation) with another organization's token: \(other)")
                case .notFound:
                    #expect(other.status == 404, "\(operation) with another organization's token: \(other)")
                case .forbidden:
                    #expect(other.status == 403, "\(operation) with another organization's token: \(other)")
                case .notListed(let key):
                    #expect(other.status == row.success, "\(operation) with another organization's token: \(other)")
                    #expect(other.json[key] is [Any], "\(other)")
                    #expect(!other.text.contains(marker), "\(operation): another organization's token lists \(marker): \(other)")
                    // Its own organization's token does list it: the check above can fail.
                    let (own, ownMarker) = try await call(tokens[.admin])
                    #expect(own.text.contains(ownMarker), "\(operation): \(ownMarker) not in \(own)")
                }
            }
        }
    }

    @Test("every successful change writes one audit entry naming the token, the organization and the target")
    func auditEntries() async throws {
        let operations = try AdminContract.operations()
        try await AdminHarness.with { harness in
            let (admin, adminID) = try await harness.token(.admin, organizations: [Self.org], name: "auditor")
            for operation in operations {
                let row = try #require(Self.rows[operation.id])
                let (parameters, query, json, _) = try await row.prepare(harness, Self.org)
                let before = try await harness.auditLog()
                let reply = try await harness.call(
                    HTTPMethod(rawValue: operation.method), operation.path(parameters) + query, token: admin, json: json,
                    contentType: row.contentType)
                #expect(reply.status == row.success, "\(operation): \(reply)")
                let added = Array(try await harness.auditLog().dropFirst(before.count))
                guard let (action, target) = row.audit else {
                    #expect(added.isEmpty, "\(operation) is a read but wrote \(added)")
                    #expect(
                        operation.method == "GET" || row.changesOnlyLeadHistory,
                        "\(operation) changes something: its row needs an audit action")
                    continue
                }
                #expect(operation.method != "GET", "\(operation)")
                try #require(added.count == 1, "\(operation) wrote \(added.count) audit entries")
                let entry = added[0]
                #expect(entry.action == action.rawValue)
                #expect(entry.actor == AuditEntry.Actor(tokenID: adminID, name: "auditor"))
                #expect(entry.organizations == [Self.org], "\(operation): \(entry)")
                #expect(entry.target.hasPrefix(target), "\(operation): \(entry.target)")
                #expect(entry.rowsAffected == 1, "\(operation): \(entry)")
            }
        }
    }
}

extension AdminHarness {
    /// A signed one-click unsubscribe token for a new lead of `org` (with a claimed email).
    func unsubscribeToken(in org: String) async throws -> String {
        let name = "lead-\(UInt32.random(in: 0...UInt32.max))"
        let claimed = try #require(try await enrollAndClaim([name], org: org)[name])
        return UnsubscribeToken(org: org, leadID: claimed.lead.leadID, channel: .email).signed(with: Self.unsubscribeKeys)
    }

    /// A new dead letter in `org`; returns its action id.
    func deadLetter(in org: String) async throws -> Int {
        try await deadLetterLead(in: org).actionID
    }

    /// A new lead of `org` with a dead email and a blocked SMS in stage `hello` of pipeline `welcome`.
    func deadLetterLead(in org: String) async throws -> (name: String, actionID: Int) {
        let name = "lead-\(UInt32.random(in: 0...UInt32.max))"
        return (name, try #require(try await deadLetters([name], org: org)[name]))
    }

    /// Leaves exactly one lead of `org` in pipeline `welcome`: a new one, the others' stages ended.
    func onlyOneLeadInPipeline(org: String) async throws {
        try await inTransaction { connection in
            try connection.execute(
                "UPDATE lead_stages SET exited_at = now(), exit_reason = 'test' WHERE org_id = $1 AND exited_at IS NULL",
                [org])
        }
        _ = try await deadLetterLead(in: org)
    }

    /// Stores pipeline `name` of `org` (one stage, one wait), no lead in it.
    func storePipeline(_ name: String, in org: String) async throws {
        try await inTransaction { connection in
            let yaml = "name: \(name)\nstages:\n  - name: first\n    actions:\n      - wait: 1h\n"
            _ = try PipelineStore.upsert(try PipelineDecoder().decode(yaml: yaml), org: org, on: connection)
        }
    }

    /// Pauses or resumes `scope` of `org` behind the API's back (`pipeline` with the pipeline's name), whatever
    /// it was before.
    func setPaused(_ paused: Bool, org: String, scope: String, pipeline: String? = nil) async throws {
        try await inTransaction { connection in
            if paused {
                try connection.execute(
                    """
                    INSERT INTO organization_pauses (org_id, scope, pipeline_id, paused_by)
                    VALUES ($1, $2, (SELECT id FROM pipelines WHERE org_id = $1 AND name = $3), 'test')
                    ON CONFLICT (org_id, scope, (coalesce(pipeline_id, 0))) WHERE resumed_at IS NULL DO NOTHING
                    """, [org, scope, pipeline])
            } else {
                try connection.execute(
                    """
                    UPDATE organization_pauses SET resumed_at = now(), resumed_by = 'test'
                    WHERE org_id = $1 AND scope = $2 AND resumed_at IS NULL
                    """, [org, scope])
            }
        }
    }
}
