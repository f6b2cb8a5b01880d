import Foundation
import LeadflowDomain
import LeadflowSecrets
import LeadflowStore
import Postgres

/// Making and revoking admin tokens, each with its audit entry in the same transaction — what `POST
/// /v1/tokens`, `DELETE /v1/tokens/{id}` and `leadflow admin token create|revoke` all run. Problems are
/// ``AdminProblem``s: the API answers them, the command line prints their detail.
public enum TokenAdministration {
    /// A token just made: its secret, shown this once, and its stored record.
    public struct Issued: Sendable {
        public let secret: Secret
        public let token: AdminToken
    }

    /// Most organizations one token may be scoped to.
    public static let maxOrganizations = 100

    /// Checks the request, makes a token, stores its hash and records `token.create` by `actor`.
    public static func create(
        name: String, role: AdminRole, organizations: [String]?, expiresAt: Date?, by actor: AuditEntry.Actor,
        on connection: isolated PostgresConnection
    ) throws -> Issued {
        let name = try RequestCheck.tokenName(name, field: "name")
        var scope = AdminScope.allOrganizations
        if let organizations {
            guard (1...maxOrganizations).contains(organizations.count) else {
                throw AdminProblem(
                    .badRequest, "organizations must list 1…\(maxOrganizations) organizations (got \(organizations.count))",
                    field: "organizations")
            }
            for (index, org) in organizations.enumerated() {
                _ = try RequestCheck.organization(org, field: "organizations[\(index)]")
            }
            guard Set(organizations).count == organizations.count else {
                throw AdminProblem(.badRequest, "organizations lists an organization twice", field: "organizations")
            }
            scope = .organizations(Set(organizations))
        }
        let secret = AdminTokenSecret.generate()
        let token: AdminToken
        do {
            token = try AdminTokens.create(
                .init(name: name, role: role, scope: scope, expiresAt: expiresAt, hash: AdminTokenSecret.hash(secret)),
                createdBy: actor.name, on: connection)
        } catch let failure as AdminTokens.Failure {
            throw AdminProblem(.conflict, failure.description, state: "name taken")
        }
        try AuditLog.record(
            .tokenCreate, by: actor, organizations: scope.organizations ?? [], target: "token:\(token.id)",
            detail: try PostgresJSON(
                encoding: TokenDetail(
                    name: token.name, role: token.role.rawValue, organizations: scope.organizations,
                    expiresAt: expiresAt.map(RFC3339Time.string))),
            rowsAffected: 1, on: connection)
        return Issued(secret: secret, token: token)
    }

    /// Revokes the token with `id`, if `visibleTo` covers its organizations (otherwise it is "not found",
    /// as for a token that does not exist), and records `token.revoke` by `actor`.
    public static func revoke(
        id: Int, visibleTo scope: AdminScope, by actor: AuditEntry.Actor, on connection: isolated PostgresConnection
    ) throws -> AdminToken {
        guard let existing = try AdminTokens.find(id: id, on: connection), scope.covers(existing.scope) else {
            throw AdminProblem(.notFound, "token \(id) not found")
        }
        guard let revoked = try AdminTokens.revoke(id: id, on: connection) else {
            let when = existing.revokedAt.map(RFC3339Time.string) ?? "an earlier moment"
            throw AdminProblem(
                .conflict, "token \(id) ('\(existing.name)') was already revoked at \(when)", state: "revoked at \(when)")
        }
        try AuditLog.record(
            .tokenRevoke, by: actor, organizations: revoked.scope.organizations ?? [], target: "token:\(id)",
            detail: try PostgresJSON(
                encoding: TokenDetail(
                    name: revoked.name, role: revoked.role.rawValue, organizations: revoked.scope.organizations,
                    expiresAt: revoked.expiresAt.map(RFC3339Time.string))),
            rowsAffected: 1, on: connection)
        return revoked
    }

    /// The audit detail of a token change.
    private struct TokenDetail: Encodable {
        let name: String
        let role: String
        let organizations: [String]?
        let expiresAt: String?

        enum CodingKeys: String, CodingKey {
            case name, role, organizations
            case expiresAt = "expires_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(role, forKey: .role)
            // null, not absent: "every organization" is a fact worth recording.
            try container.encode(organizations, forKey: .organizations)
            try container.encodeIfPresent(expiresAt, forKey: .expiresAt)
        }
    }
}
