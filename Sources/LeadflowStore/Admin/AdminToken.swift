import Foundation
import LeadflowDomain
import Postgres

/// A bearer token of the admin API as stored, without its secret: who it is for, what it may do, where.
public struct AdminToken: Sendable, Hashable {
    public let id: Int
    public let name: String
    public let role: AdminRole
    public let scope: AdminScope
    public let createdAt: Date
    /// The token that made it, or `cli:<user>`.
    public let createdBy: String
    public let expiresAt: Date?
    public let lastUsedAt: Date?
    public let revokedAt: Date?

    /// Whether it lets requests in at `now`: not revoked, not expired.
    public func isUsable(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { $0 > now } ?? true)
    }

    /// The select list ``init(row:)`` reads, over `admin_tokens`.
    static let columns = """
        id, name, role, org_ids, created_at, created_by, expires_at, last_used_at, revoked_at
        """

    init(row: PostgresRow) throws {
        let (id, name, role, orgs, createdAt, createdBy, expiresAt, lastUsedAt, revokedAt) = try row.decode(
            (Int, String, String, [String]?, Date, String, Date?, Date?, Date?).self)
        guard let decodedRole = AdminRole(rawValue: role) else {
            throw PostgresError(kind: .decoding, message: "unknown admin role \(role) in admin_tokens")
        }
        self.id = id
        self.name = name
        self.role = decodedRole
        self.scope = AdminScope(orgs)
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}
