import Foundation
import Postgres

/// One change recorded in `audit_log`: when, who, what, about which organizations, how many rows.
public struct AuditEntry: Sendable, Hashable {
    /// Who made a change: a token, or the command line (`tokenID` nil, `name` `cli:<user>`).
    public struct Actor: Sendable, Hashable {
        public var tokenID: Int?
        public var name: String

        public init(tokenID: Int?, name: String) {
            self.tokenID = tokenID
            self.name = name
        }

        /// Who the lead history says made an act: `token:<name>` for a token, the command line's name as it is.
        public var historyName: String { tokenID == nil ? name : "token:\(name)" }
    }

    public let id: Int
    /// The change's transaction time.
    public let at: Date
    public let actor: Actor
    /// The action's name; an ``AuditAction`` for entries this version writes.
    public let action: String
    /// The organizations the change is about; empty for one about every organization.
    public let organizations: [String]
    /// What was changed: `dead_letter:<id>`, `organization:<org>/<channel>`, `token:<id>`.
    public let target: String
    /// What the change was, as a JSON object.
    public let detail: PostgresJSON
    public let rowsAffected: Int

    static let columns = "id, at, actor_token_id, actor_name, action, org_ids, target, detail, rows_affected"

    init(row: PostgresRow) throws {
        let (id, at, tokenID, name, action, organizations, target, detail, rowsAffected) = try row.decode(
            (Int, Date, Int?, String, String, [String], String, PostgresJSON, Int).self)
        self.id = id
        self.at = at
        self.actor = Actor(tokenID: tokenID, name: name)
        self.action = action
        self.organizations = organizations
        self.target = target
        self.detail = detail
        self.rowsAffected = rowsAffected
    }
}
