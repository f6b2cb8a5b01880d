import Foundation
import LeadflowDomain
import Postgres

/// Operators' pauses: an organization's work stops being claimed — all of it, one channel, or one pipeline —
/// while what is in flight finishes (docs/operations.md, "Pausing"). Organization and channel pauses are read by
/// the claim with its queue heads; a pipeline's pending actions step out of the queue as `held` instead, so a
/// paused backlog costs the claims nothing.
public enum OrganizationPauses {
    /// What a pause covers: every action type, one channel, or one pipeline (by name).
    public enum Scope: Sendable, Hashable, Codable, CustomStringConvertible {
        case all
        case channel(ActionType)
        case pipeline(String)

        /// `all`, `email`, `sms`, `webhook` or `pipeline`: the name in `organization_pauses.scope`.
        public var name: String {
            switch self {
            case .all: "all"
            case .channel(let type): type.rawValue
            case .pipeline: "pipeline"
            }
        }

        /// The pipeline a `pipeline` scope names.
        public var pipeline: String? {
            if case .pipeline(let name) = self { name } else { nil }
        }

        public var description: String {
            switch self {
            case .all: "all work"
            case .channel: "\(name) actions"
            case .pipeline(let name): "pipeline \(name)"
            }
        }

        /// The scope a name gives; `nil` for anything but `all` or an external action type (a pipeline scope
        /// needs its pipeline: ``pipeline(_:)``).
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
        /// The paused pipeline's name, for scope `pipeline`.
        public var pipeline: String?
        public var pausedAt: Date
        public var pausedBy: String
        public var reason: String?
        /// When and by whom it was resumed; `nil` while in force.
        public var resumedAt: Date?
        public var resumedBy: String?
        /// For a pipeline pause: actions it held back when paused, or returned to the queue when resumed.
        public var actions: Int?
    }

    /// Why a pause or resume was refused.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case unknownOrganization(String)
        case unknownPipeline(org: String, pipeline: String)
        case alreadyPaused(Pause)
        case notPaused(org: String, scope: Scope)

        public var description: String {
            switch self {
            case .unknownOrganization(let org): "no organization \"\(org)\""
            case .unknownPipeline(let org, let pipeline): "no pipeline \"\(pipeline)\" in organization \"\(org)\""
            case .alreadyPaused(let pause):
                "\(pause.org) \(pause.pipeline.map { "pipeline \($0)" } ?? pause.scope) is already paused "
                    + "(since \(pause.pausedAt.formatted(.iso8601)) by \(pause.pausedBy))"
            case .notPaused(let org, let scope):
                "\(org) \(scope.pipeline.map { "pipeline \($0)" } ?? scope.name) is not paused"
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

    /// Pauses `scope` of `org`, with an audit log entry; throws ``Failure`` when the organization or pipeline is
    /// unknown or the scope already paused. A pipeline's pending actions become `held` in the same transaction
    /// (``Pause/actions`` counts them), each locked in id order as the other writers lock actions.
    public static func pause(
        org: String, scope: Scope, by actor: AuditEntry.Actor, reason: String?,
        on connection: isolated PostgresConnection
    ) throws -> Pause {
        let pipelineID = try requireScope(org, scope, on: connection)
        let rows = try connection.query(pauseStatement, [org, scope.name, pipelineID, actor.historyName, reason])
        guard let row = rows.first else {
            // The pause in force that conflicted; resumed meanwhile by another transaction, it is not listed, and
            // the conflict is reported as it was found.
            let current = try list(org: org, on: connection).first { $0.scope == scope.name && $0.pipeline == scope.pipeline }
            throw Failure.alreadyPaused(
                current
                    ?? Pause(
                        org: org, scope: scope.name, pipeline: scope.pipeline, pausedAt: Date(),
                        pausedBy: "another operator"))
        }
        var pause = try decode(row)
        if let pipelineID {
            pause.actions = try connection.query(holdStatement, [org, pipelineID]).count
        }
        try audit(.organizationPause, pause, by: actor, on: connection)
        return pause
    }

    /// Resumes `scope` of `org` and wakes the schedulers, with an audit log entry; throws ``Failure`` when it was
    /// not paused. A pipeline's held actions are pending again, due when they were.
    @discardableResult
    public static func resume(
        org: String, scope: Scope, by actor: AuditEntry.Actor, on connection: isolated PostgresConnection
    ) throws -> Pause {
        let pipelineID = try requireScope(org, scope, on: connection)
        guard let row = try connection.query(resumeStatement, [org, scope.name, actor.historyName, pipelineID]).first
        else {
            throw Failure.notPaused(org: org, scope: scope)
        }
        var pause = try decode(row)
        if let pipelineID {
            pause.actions = try connection.query(releaseStatement, [org, pipelineID]).count
        }
        try SchedulerWakeup.notify(organizations: [org], on: connection)
        try audit(.organizationResume, pause, by: actor, on: connection)
        return pause
    }

    private static func audit(
        _ action: AuditAction, _ pause: Pause, by actor: AuditEntry.Actor, on connection: isolated PostgresConnection
    ) throws {
        var detail: [String: String] = ["scope": pause.scope, "paused_by": pause.pausedBy]
        detail["reason"] = pause.reason
        detail["pipeline"] = pause.pipeline
        detail["actions"] = pause.actions.map(String.init)
        let target = "organization:\(pause.org)/" + (pause.pipeline.map { "pipeline:\($0)" } ?? pause.scope)
        try AuditLog.record(
            action, by: actor, organizations: [pause.org], target: target,
            detail: try PostgresJSON(encoding: detail), rowsAffected: 1, on: connection)
    }

    /// The pauses in force of `org`, or of every organization.
    public static func list(org: String? = nil, on connection: isolated PostgresConnection) throws -> [Pause] {
        try connection.query(listStatement, [org]).map(decode)
    }

    /// Every pause of `org` in force at some time since `since`, resumed ones included, oldest first. With
    /// `leadID`, pipeline pauses only of pipelines that lead has been in.
    public static func history(
        org: String, since: Date, leadID: Int? = nil, on connection: isolated PostgresConnection
    ) throws -> [Pause] {
        try connection.query(historyStatement, [org, since, leadID]).map(decode)
    }

    /// The organization exists and, for a pipeline scope, the pipeline: its id.
    private static func requireScope(_ org: String, _ scope: Scope, on connection: isolated PostgresConnection) throws -> Int? {
        guard try connection.query("SELECT 1 FROM organizations WHERE id = $1", [org]).first != nil else {
            throw Failure.unknownOrganization(org)
        }
        guard let pipeline = scope.pipeline else { return nil }
        guard
            let id = try connection.query("SELECT id FROM pipelines WHERE org_id = $1 AND name = $2", [org, pipeline])
                .scalar(Int.self)
        else {
            throw Failure.unknownPipeline(org: org, pipeline: pipeline)
        }
        return id
    }

    private static func decode(_ row: PostgresRow) throws -> Pause {
        Pause(
            org: try row.decode(String.self, at: 0), scope: try row.decode(String.self, at: 1),
            pipeline: try row.decode(String?.self, at: 7),
            pausedAt: try row.decode(Date.self, at: 2), pausedBy: try row.decode(String.self, at: 3),
            reason: try row.decode(String?.self, at: 4), resumedAt: try row.decode(Date?.self, at: 5),
            resumedBy: try row.decode(String?.self, at: 6))
    }

    // MARK: SQL

    static let columns = """
        org_id, scope, paused_at, paused_by, reason, resumed_at, resumed_by,
        (SELECT name FROM pipelines WHERE pipelines.id = pipeline_id)
        """

    /// The ids of the action rows (every version) of the pipelines paused now: what the claim holds back. One
    /// probe of an empty index while no pipeline is paused.
    static let pausedPipelineActions = """
        SELECT a.id FROM organization_pauses pause
        JOIN pipeline_stages s ON s.pipeline_id = pause.pipeline_id
        JOIN pipeline_stage_actions a ON a.stage_id = s.id
        WHERE pause.scope = 'pipeline' AND pause.resumed_at IS NULL
        """

    static let pauseStatement = PostgresStatement(
        name: "pause_insert",
        sql: """
            INSERT INTO organization_pauses (org_id, scope, pipeline_id, paused_by, reason) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (org_id, scope, (coalesce(pipeline_id, 0))) WHERE resumed_at IS NULL DO NOTHING
            RETURNING \(columns)
            """)

    static let resumeStatement = PostgresStatement(
        name: "pause_resume",
        sql: """
            UPDATE organization_pauses SET resumed_at = now(), resumed_by = $3
            WHERE org_id = $1 AND scope = $2 AND pipeline_id IS NOT DISTINCT FROM $4::bigint AND resumed_at IS NULL
            RETURNING \(columns)
            """)

    /// The pending actions of organization $1's pipeline $2 (any version), held: one range of the queue index
    /// per action type of the organization.
    static let holdStatement = PostgresStatement(name: "pause_hold_pipeline", sql: moving(from: "pending", to: "held"))

    /// The held actions of organization $1's pipeline $2, pending again with their due times:
    /// `lead_stage_actions_held_idx`.
    static let releaseStatement = PostgresStatement(
        name: "pause_release_pipeline", sql: moving(from: "held", to: "pending"))

    /// Moves the actions of organization $1's pipeline $2 (any version) from one status to the other, locked in id
    /// order as the other writers lock actions; returns their ids.
    private static func moving(from: String, to: String) -> String {
        """
        WITH target AS (
            SELECT id FROM lead_stage_actions
            WHERE status = '\(from)' AND org_id = $1
              AND pipeline_action_id IN (
                  SELECT a.id FROM pipeline_stage_actions a JOIN pipeline_stages s ON s.id = a.stage_id
                  WHERE s.pipeline_id = $2)
            ORDER BY id
            FOR UPDATE
        )
        UPDATE lead_stage_actions a SET status = '\(to)', updated_at = now()
        FROM target WHERE a.id = target.id
        RETURNING a.id
        """
    }

    static let listStatement = PostgresStatement(
        name: "pause_list",
        sql: """
            SELECT \(columns) FROM organization_pauses
            WHERE ($1::text IS NULL OR org_id = $1) AND resumed_at IS NULL ORDER BY org_id, scope, 8
            """)

    static let historyStatement = PostgresStatement(
        name: "pause_history",
        sql: """
            SELECT \(columns) FROM organization_pauses
            WHERE org_id = $1 AND (resumed_at IS NULL OR resumed_at >= $2)
              AND ($3::bigint IS NULL OR pipeline_id IS NULL
                   OR pipeline_id IN (SELECT pipeline_id FROM lead_stages WHERE lead_id = $3))
            ORDER BY paused_at, id
            """)
}
