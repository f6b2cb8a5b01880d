import Foundation
import LeadflowDomain
import Postgres

/// The admin API's tokens in `admin_tokens` (migration 11): made, looked up by the hash of the secret a
/// request presents, listed and revoked. Only hashes are stored; making the secret and hashing it is the
/// caller's (`LeadflowAdmin.AdminTokenSecret`). Every function runs in the caller's transaction.
public enum AdminTokens {
    /// A token to make.
    public struct Creation: Sendable, Hashable {
        public var name: String
        public var role: AdminRole
        public var scope: AdminScope
        public var expiresAt: Date?
        /// The SHA-256 of the secret, as 64 lowercase hex digits.
        public var hash: String

        public init(name: String, role: AdminRole, scope: AdminScope, expiresAt: Date? = nil, hash: String) {
            self.name = name
            self.role = role
            self.scope = scope
            self.expiresAt = expiresAt
            self.hash = hash
        }
    }

    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// A token that works already has the name.
        case nameTaken(String)

        public var description: String {
            switch self {
            case .nameTaken(let name): "a token named '\(name)' exists; revoke it first or choose another name"
            }
        }
    }

    /// How often a token's `last_used_at` is written at most: a read request should not write every time.
    public static let lastUsedResolution: TimeInterval = 60

    /// Stores a new token made by `createdBy`.
    public static func create(
        _ creation: Creation, createdBy: String, on connection: isolated PostgresConnection
    ) throws -> AdminToken {
        do {
            // A savepoint, so a taken name leaves the caller's transaction usable.
            return try connection.withTransaction { connection in
                let rows = try connection.query(
                    createStatement,
                    [creation.name, creation.role.rawValue, creation.scope.organizations, creation.hash, createdBy,
                     creation.expiresAt])
                return try AdminToken(row: rows[0])
            }
        } catch let error as PostgresError
            where error.sqlState == .uniqueViolation && error.constraint == "admin_tokens_live_name_idx"
        {
            throw Failure.nameTaken(creation.name)
        }
    }

    /// The token whose secret hashes to `hash`, whatever its state (the caller decides with
    /// ``AdminToken/isUsable(at:)``), or nil.
    public static func find(hash: String, on connection: isolated PostgresConnection) throws -> AdminToken? {
        try connection.query(findByHashStatement, [hash]).first.map(AdminToken.init(row:))
    }

    /// The token with `id`, or nil.
    public static func find(id: Int, on connection: isolated PostgresConnection) throws -> AdminToken? {
        try connection.query(findByIDStatement, [id]).first.map(AdminToken.init(row:))
    }

    /// Tokens by id, the oldest first; revoked ones only when asked.
    public static func list(includeRevoked: Bool, on connection: isolated PostgresConnection) throws -> [AdminToken] {
        try connection.query(listStatement, [includeRevoked]).map(AdminToken.init(row:))
    }

    /// Notes that `token` was used now, unless that was noted less than ``lastUsedResolution`` ago.
    public static func noteUse(of token: AdminToken, at now: Date, on connection: isolated PostgresConnection) throws {
        if let last = token.lastUsedAt, now.timeIntervalSince(last) < lastUsedResolution { return }
        try connection.execute(touchStatement, [token.id])
    }

    /// Revokes the token with `id` and returns it as it is now; nil when there is none or it was revoked
    /// already (``find(id:on:)`` tells which).
    public static func revoke(id: Int, on connection: isolated PostgresConnection) throws -> AdminToken? {
        try connection.query(revokeStatement, [id]).first.map(AdminToken.init(row:))
    }

    // MARK: SQL

    static let createStatement = PostgresStatement(
        name: "admin_tokens_create",
        sql: """
            INSERT INTO admin_tokens (name, role, org_ids, token_hash, created_by, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            RETURNING \(AdminToken.columns)
            """)

    static let findByHashStatement = PostgresStatement(
        name: "admin_tokens_by_hash", sql: "SELECT \(AdminToken.columns) FROM admin_tokens WHERE token_hash = $1")

    static let findByIDStatement = PostgresStatement(
        name: "admin_tokens_by_id", sql: "SELECT \(AdminToken.columns) FROM admin_tokens WHERE id = $1")

    static let listStatement = PostgresStatement(
        name: "admin_tokens_list",
        sql: "SELECT \(AdminToken.columns) FROM admin_tokens WHERE $1 OR revoked_at IS NULL ORDER BY id")

    static let touchStatement = PostgresStatement(
        name: "admin_tokens_touch", sql: "UPDATE admin_tokens SET last_used_at = now() WHERE id = $1")

    static let revokeStatement = PostgresStatement(
        name: "admin_tokens_revoke",
        sql: """
            UPDATE admin_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL
            RETURNING \(AdminToken.columns)
            """)
}
