import Foundation
import LeadflowDomain
import Postgres

/// Operators' pauses: an organization's work stops being claimed — all of it, or one channel — while what is in
/// flight finishes (docs/operations.md, "Pausing"). Read by the claim with its queue heads.
public enum OrganizationPauses {
    /// What a pause covers: every action type, or one channel.
    public enum Scope: Sendable, Hashable, Codable, CustomStringConvertible {
        case all
        case channel(ActionType)

        /// `all`, `email`, `sms` or `webhook`: the name in `organization_pauses.scope`.
        public var name: String {
            switch self {
            case .all: "all"
            case .channel(let type): type.rawValue
            }
        }

        public var description: String { self == .all ? "all work" : "\(name) actions" }

        /// The scope a name gives; `nil` for anything but `all` or an external action type.
        public init?(name: String) {
            if name == "all" {
                self = .all
            } else if let type = ActionType(rawValue: name), type.isExternal {
                self = .channel(type)
            } else {
                return nil
            }
        }
    }

    /// One paused scope of an organization.
    public struct Pause: Sendable, Hashable, Codable {
        public var org: String
        public var scope: String
        public var pausedAt: Date
        public var pausedBy: String
        public var reason: String?
    }

    /// Why a pause or resume was refused.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case unknownOrganization(String)
        case alreadyPaused(Pause)
        case notPaused(org: String, scope: String)

        public var description: String {
            switch self {
            case .unknownOrganization(let org): "no organization \"\(org)\""
            case .alreadyPaused(let pause):
                "\(pause.org) \(pause.scope) is already paused (since \(pause.pausedAt.formatted(.iso8601)) by \(pause.pausedBy))"
            case .notPaused(let org, let scope): "\(org) \(scope) is not paused"
            }
        }
    }

    /// The rule, as SQL over an organization id and an action type expression: whether claims skip that
    /// organization's due actions of that type. An `all` pause covers every type; a channel pause its own.
    static func isPaused(org: String, type: String) -> String {
        """
        EXISTS (SELECT 1 FROM organization_pauses pause
                WHERE pause.org_id = \(org) AND pause.scope IN ('all', \(type)))
        """
    }

    /// Pauses `scope` of `org`; throws ``Failure`` when the organization is unknown or the scope already paused.
    public static func pause(
        org: String, scope: Scope, by actor: String, reason: String?, on connection: isolated PostgresConnection
    ) throws -> Pause {
        try requireOrganization(org, on: connection)
        let rows = try connection.query(pauseStatement, [org, scope.name, actor, reason])
        guard let row = rows.first else {
            throw Failure.alreadyPaused(try list(org: org, on: connection).first { $0.scope == scope.name }!)
        }
        return try decode(row)
    }

    /// Resumes `scope` of `org` and wakes the schedulers; throws ``Failure`` when it was not paused.
    @discardableResult
    public static func resume(org: String, scope: Scope, on connection: isolated PostgresConnection) throws -> Pause {
        try requireOrganization(org, on: connection)
        guard let row = try connection.query(resumeStatement, [org, scope.name]).first else {
            throw Failure.notPaused(org: org, scope: scope.name)
        }
        try connection.execute(SchedulerWakeup.notifyStatement, [SchedulerWakeup.payload(organizations: [org])])
        return try decode(row)
    }

    /// The pauses of `org`, or of every organization.
    public static func list(org: String? = nil, on connection: isolated PostgresConnection) throws -> [Pause] {
        try connection.query(listStatement, [org]).map(decode)
    }

    private static func requireOrganization(_ org: String, on connection: isolated PostgresConnection) throws {
        guard try connection.query("SELECT 1 FROM organizations WHERE id = $1", [org]).first != nil else {
            throw Failure.unknownOrganization(org)
        }
    }

    private static func decode(_ row: PostgresRow) throws -> Pause {
        Pause(
            org: try row.decode(String.self, at: 0), scope: try row.decode(String.self, at: 1),
            pausedAt: try row.decode(Date.self, at: 2), pausedBy: try row.decode(String.self, at: 3),
            reason: try row.decode(String?.self, at: 4))
    }

    // MARK: SQL

    static let pauseStatement = PostgresStatement(
        name: "pause_insert",
        sql: """
            INSERT INTO organization_pauses (org_id, scope, paused_by, reason) VALUES ($1, $2, $3, $4)
            ON CONFLICT DO NOTHING
            RETURNING org_id, scope, paused_at, paused_by, reason
            """)

    static let resumeStatement = PostgresStatement(
        name: "pause_delete",
        sql: """
            DELETE FROM organization_pauses WHERE org_id = $1 AND scope = $2
            RETURNING org_id, scope, paused_at, paused_by, reason
            """)

    static let listStatement = PostgresStatement(
        name: "pause_list",
        sql: """
            SELECT org_id, scope, paused_at, paused_by, reason FROM organization_pauses
            WHERE $1::text IS NULL OR org_id = $1 ORDER BY org_id, scope
            """)
}
