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

    /// One pause of an organization's scope, in force or resumed.
    public struct Pause: Sendable, Hashable, Codable {
        public var org: String
        public var scope: String
        public var pausedAt: Date
        public var pausedBy: String
        public var reason: String?
        /// When and by whom it was resumed; `nil` while in force.
        public var resumedAt: Date?
        public var resumedBy: String?
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
                WHERE pause.org_id = \(org) AND pause.scope IN ('all', \(type)) AND pause.resumed_at IS NULL)
        """
    }

    /// Pauses `scope` of `org`, with an audit log entry; throws ``Failure`` when the organization is unknown or
    /// the scope already paused.
    public static func pause(
        org: String, scope: Scope, by actor: AuditEntry.Actor, reason: String?,
        on connection: isolated PostgresConnection
    ) throws -> Pause {
        try requireOrganization(org, on: connection)
        let rows = try connection.query(pauseStatement, [org, scope.name, actor.historyName, reason])
        guard let row = rows.first else {
            // The pause in force that conflicted; resumed meanwhile by another transaction, it is not listed, and
            // the conflict is reported as it was found.
            let current = try list(org: org, on: connection).first { $0.scope == scope.name }
            throw Failure.alreadyPaused(
                current ?? Pause(org: org, scope: scope.name, pausedAt: Date(), pausedBy: "another operator"))
        }
        let pause = try decode(row)
        try audit(.organizationPause, pause, by: actor, on: connection)
        return pause
    }

    /// Resumes `scope` of `org` and wakes the schedulers, with an audit log entry; throws ``Failure`` when it was
    /// not paused.
    @discardableResult
    public static func resume(
        org: String, scope: Scope, by actor: AuditEntry.Actor, on connection: isolated PostgresConnection
    ) throws -> Pause {
        try requireOrganization(org, on: connection)
        guard let row = try connection.query(resumeStatement, [org, scope.name, actor.historyName]).first else {
            throw Failure.notPaused(org: org, scope: scope.name)
        }
        try SchedulerWakeup.notify(organizations: [org], on: connection)
        let pause = try decode(row)
        try audit(.organizationResume, pause, by: actor, on: connection)
        return pause
    }

    private static func audit(
        _ action: AuditAction, _ pause: Pause, by actor: AuditEntry.Actor, on connection: isolated PostgresConnection
    ) throws {
        var detail: [String: String] = ["scope": pause.scope, "paused_by": pause.pausedBy]
        detail["reason"] = pause.reason
        try AuditLog.record(
            action, by: actor, organizations: [pause.org], target: "organization:\(pause.org)/\(pause.scope)",
            detail: try PostgresJSON(encoding: detail), rowsAffected: 1, on: connection)
    }

    /// The pauses in force of `org`, or of every organization.
    public static func list(org: String? = nil, on connection: isolated PostgresConnection) throws -> [Pause] {
        try connection.query(listStatement, [org]).map(decode)
    }

    /// Every pause of `org` in force at some time since `since`, resumed ones included, oldest first.
    public static func history(
        org: String, since: Date, on connection: isolated PostgresConnection
    ) throws -> [Pause] {
        try connection.query(historyStatement, [org, since]).map(decode)
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
            reason: try row.decode(String?.self, at: 4), resumedAt: try row.decode(Date?.self, at: 5),
            resumedBy: try row.decode(String?.self, at: 6))
    }

    // MARK: SQL

    static let columns = "org_id, scope, paused_at, paused_by, reason, resumed_at, resumed_by"

    static let pauseStatement = PostgresStatement(
        name: "pause_insert",
        sql: """
            INSERT INTO organization_pauses (org_id, scope, paused_by, reason) VALUES ($1, $2, $3, $4)
            ON CONFLICT (org_id, scope) WHERE resumed_at IS NULL DO NOTHING
            RETURNING \(columns)
            """)

    static let resumeStatement = PostgresStatement(
        name: "pause_resume",
        sql: """
            UPDATE organization_pauses SET resumed_at = now(), resumed_by = $3
            WHERE org_id = $1 AND scope = $2 AND resumed_at IS NULL
            RETURNING \(columns)
            """)

    static let listStatement = PostgresStatement(
        name: "pause_list",
        sql: """
            SELECT \(columns) FROM organization_pauses
            WHERE ($1::text IS NULL OR org_id = $1) AND resumed_at IS NULL ORDER BY org_id, scope
            """)

    static let historyStatement = PostgresStatement(
        name: "pause_history",
        sql: """
            SELECT \(columns) FROM organization_pauses
            WHERE org_id = $1 AND (resumed_at IS NULL OR resumed_at >= $2) ORDER BY paused_at, id
            """)
}
