import Foundation
import LeadflowDomain
import Postgres

/// The audit log (`audit_log`, migration 11): every change made through the admin API or `leadflow admin
/// token`, written on the change's own connection inside its transaction, so the two commit together.
public enum AuditLog {
    /// One page of entries, the newest first.
    public struct Page: Sendable, Hashable {
        public var entries: [AuditEntry]
        /// The id to continue below; nil on the last page.
        public var next: Int?
    }

    /// Which entries a listing is about.
    public struct Filter: Sendable, Hashable {
        /// What the reader may see (``AdminScope/covers(_:)`` of the entry's organizations).
        public var scope: AdminScope
        public var org: String?
        public var action: AuditAction?

        public init(scope: AdminScope, org: String? = nil, action: AuditAction? = nil) {
            self.scope = scope
            self.org = org
            self.action = action
        }
    }

    /// Records a change by `actor`.
    public static func record(
        _ action: AuditAction, by actor: AuditEntry.Actor, organizations: [String], target: String,
        detail: PostgresJSON, rowsAffected: Int, on connection: isolated PostgresConnection
    ) throws {
        try connection.execute(
            recordStatement,
            [actor.tokenID, actor.name, action.rawValue, organizations.sorted(), target, detail, rowsAffected])
    }

    /// Entries matching `filter`, the newest first, at most `limit`, below the id `before`.
    public static func list(
        _ filter: Filter, before: Int? = nil, limit: Int, on connection: isolated PostgresConnection
    ) throws -> Page {
        precondition(limit > 0, "a page holds at least one entry")
        // The reader's scope as SQL: every entry, or those about some of its organizations and no other
        // (the rule of AdminScope.covers).
        let rows = try connection.query(
            listStatement,
            [filter.scope.organizations, filter.org, filter.action?.rawValue, before, limit + 1])
        var entries = try rows.map(AuditEntry.init(row:))
        guard entries.count > limit else { return Page(entries: entries, next: nil) }
        entries.removeLast()
        return Page(entries: entries, next: entries.last?.id)
    }

    // MARK: SQL

    static let recordStatement = PostgresStatement(
        name: "audit_log_record",
        sql: """
            INSERT INTO audit_log (actor_token_id, actor_name, action, org_ids, target, detail, rows_affected)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """)

    static let listStatement = PostgresStatement(
        name: "audit_log_list",
        sql: """
            SELECT \(AuditEntry.columns) FROM audit_log
            WHERE ($1::text[] IS NULL OR (cardinality(org_ids) > 0 AND org_ids <@ $1::text[]))
              AND ($2::text IS NULL OR org_ids @> ARRAY[$2::text])
              AND ($3::text IS NULL OR action = $3)
              AND ($4::bigint IS NULL OR id < $4)
            ORDER BY id DESC
            LIMIT $5
            """)
}
