import Foundation
import LeadflowDomain
import Postgres

/// Operators' controls over leads (docs/operations.md, "Lead controls"): cancel a lead's open work, move it to
/// another stage of its pipeline, replay its dead actions — for one lead, or for every lead a filter selects.
///
/// Each runs on the caller's connection inside the caller's transaction, so it is applied whole or not at all:
/// the change, its lead history rows (with who made it) and its `audit_log` row commit together. A dry run
/// changes nothing and writes neither; it reports what the change would touch.
public enum LeadControls {
    /// Which leads a control is about: one lead by external id, or every lead of the organization that is in the
    /// pipeline (and in the stage, when named) now.
    public struct Selection: Sendable, Hashable, Codable {
        public var org: String
        /// One lead; nil: every lead the pipeline and stage select.
        public var externalID: String?
        /// Only the lead's stage in this pipeline (a cancel of one lead: every pipeline when nil). Required to
        /// select more than one lead, and for a move.
        public var pipeline: String?
        /// Only leads in this stage of the pipeline.
        public var stage: String?

        public init(org: String, externalID: String? = nil, pipeline: String? = nil, stage: String? = nil) {
            self.org = org
            self.externalID = externalID
            self.pipeline = pipeline
            self.stage = stage
        }

        /// ` in pipeline "P"` / ` in stage "S" of pipeline "P"`: what a refusal of one lead adds.
        var within: String {
            guard let pipeline else { return "" }
            return stage.map { " in stage \"\($0)\" of pipeline \"\(pipeline)\"" } ?? " in pipeline \"\(pipeline)\""
        }

        /// `lead:<org>/<external id>` or `pipeline:<org>/<pipeline>[/<stage>]`: the audit log's target.
        var target: String {
            if let externalID { return "lead:\(org)/\(externalID)" }
            return "pipeline:\(org)/\(pipeline ?? "")" + (stage.map { "/\($0)" } ?? "")
        }
    }

    /// What a control did, or in a dry run would do.
    public struct Report: Sendable, Hashable, Codable {
        /// Leads it changed (would change).
        public var leads: Int
        /// Lead stages it ended (cancel) or left (move).
        public var stages: Int
        /// Open actions it canceled (cancel, move) or dead actions it replayed (replay).
        public var actions: Int
        public var dryRun: Bool
    }

    /// Why a control was refused; nothing was changed.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case unknownOrganization(String)
        case unknownLead(org: String, externalID: String)
        case unknownPipeline(org: String, pipeline: String)
        case unknownStage(pipeline: String, stage: String)
        /// A selection of several leads needs a pipeline; a move needs one always.
        case pipelineRequired
        /// The lead has nothing the control applies to: no open work (cancel), not in the pipeline (move), no
        /// dead action (replay).
        case conflict(String)

        public var description: String {
            switch self {
            case .unknownOrganization(let org): "no organization \"\(org)\""
            case .unknownLead(let org, let externalID): "no lead \"\(externalID)\" in organization \"\(org)\""
            case .unknownPipeline(let org, let pipeline): "no pipeline \"\(pipeline)\" in organization \"\(org)\""
            case .unknownStage(let pipeline, let stage): "no stage \"\(stage)\" in pipeline \"\(pipeline)\""
            case .pipelineRequired: "name a lead, or a pipeline whose leads to select"
            case .conflict(let state): state
            }
        }
    }

    // MARK: Cancel

    /// Ends the selected leads' current stages with reason `canceled`: their unfinished actions — blocked,
    /// pending, held, waiting, dispatched — are canceled (a handler's late result for one changes nothing) and the
    /// leads leave the pipeline. The history keeps `reason` with the exits, and who canceled.
    public static func cancel(
        _ selection: Selection, reason: String, dryRun: Bool, by actor: AuditEntry.Actor,
        on connection: isolated PostgresConnection
    ) throws -> Report {
        let resolved = try resolve(selection, on: connection)
        let stages = try openStages(resolved, locking: !dryRun, on: connection)
        if selection.externalID != nil, stages.isEmpty {
            throw Failure.conflict("lead \"\(selection.externalID ?? "")\" has no open work" + selection.within)
        }
        let report = Report(
            leads: Set(stages.map(\.leadID)).count, stages: stages.count, actions: stages.reduce(0) { $0 + $1.openActions },
            dryRun: dryRun)
        guard !dryRun, !stages.isEmpty else { return report }
        var events = LeadEventLog(recording: false, history: true, actor: actor.historyName)
        try StageTransitions.exit(
            leadStages: stages.map(\.id), reason: .canceled, note: reason, events: &events, on: connection)
        try LeadHistory.write(events, on: connection)
        try audit(.leadCancel, selection, report, rows: report.leads, detail: ["reason": reason], by: actor, on: connection)
        return report
    }

    // MARK: Move

    /// Moves the selected leads to `stage` of the selection's pipeline: each leaves its current stage there
    /// (reason `moved`, its unfinished actions canceled) and enters the new one, whose first action is due at
    /// once (a `wait` after its delay). Leads already in that stage are left alone. A lead must be in the
    /// pipeline: enroll it otherwise.
    public static func move(
        _ selection: Selection, to stage: String, dryRun: Bool, by actor: AuditEntry.Actor,
        defaultMaxAttempts: Int, on connection: isolated PostgresConnection
    ) throws -> Report {
        guard let pipeline = selection.pipeline else { throw Failure.pipelineRequired }
        let resolved = try resolve(selection, on: connection)
        guard let target = try stageID(named: stage, pipelineID: resolved.pipelineID ?? 0, current: true, on: connection)
        else { throw Failure.unknownStage(pipeline: pipeline, stage: stage) }
        let current = try openStages(resolved, locking: !dryRun, on: connection)
        let moving = current.filter { $0.stageID != target }
        if let externalID = selection.externalID, moving.isEmpty {
            throw Failure.conflict(
                current.isEmpty
                    ? selection.stage == nil
                        ? "lead \"\(externalID)\" is not in pipeline \"\(pipeline)\"; enroll it instead"
                        : "lead \"\(externalID)\" is not in stage \"\(selection.stage ?? "")\" of pipeline \"\(pipeline)\""
                    : "lead \"\(externalID)\" is already in stage \"\(stage)\"")
        }
        let report = Report(
            leads: moving.count, stages: moving.count, actions: moving.reduce(0) { $0 + $1.openActions }, dryRun: dryRun)
        guard !dryRun, !moving.isEmpty else { return report }
        var events = LeadEventLog(recording: false, history: true, actor: actor.historyName)
        let exited = try StageTransitions.exit(
            leadStages: moving.map(\.id), reason: .moved, events: &events, on: connection)
        let entries = exited.map {
            StageEntry(leadID: $0.leadID, org: $0.org, pipelineID: $0.pipelineID, stageID: target, trace: $0.trace)
        }
        try StageTransitions.enter(entries, defaultMaxAttempts: defaultMaxAttempts, events: &events, on: connection)
        try SchedulerWakeup.notify(organizations: [selection.org], on: connection)
        try LeadHistory.write(events, on: connection)
        try audit(.leadMove, selection, report, rows: report.leads, detail: ["stage": stage], by: actor, on: connection)
        return report
    }

    // MARK: Replay

    /// Replays the dead actions of one lead (``DeadLetters/replay(_:dryRun:events:on:)``): after its fields were
    /// fixed, the step that failed runs again with a fresh attempt budget.
    public static func replay(
        _ selection: Selection, dryRun: Bool, by actor: AuditEntry.Actor, on connection: isolated PostgresConnection
    ) throws -> Report {
        guard let externalID = selection.externalID else { throw Failure.pipelineRequired }
        let resolved = try resolve(selection, on: connection)
        let dead = try connection.query(deadActionsStatement, [resolved.leadID, resolved.pipelineID])
            .map { try $0.decode(Int.self, at: 0) }
        guard !dead.isEmpty else { throw Failure.conflict("lead \"\(externalID)\" has no dead action to replay") }
        var events = LeadEventLog(recording: false, history: true, actor: actor.historyName)
        let replayed = try DeadLetters.replay(.ids(dead), dryRun: dryRun, events: &events, on: connection)
        guard !replayed.applied.isEmpty else {
            throw Failure.conflict(
                "lead \"\(externalID)\" has left the stage of its dead actions; move or enroll it instead")
        }
        let report = Report(leads: 1, stages: 0, actions: replayed.applied.count, dryRun: dryRun)
        guard !dryRun else { return report }
        try LeadHistory.write(events, on: connection)
        try audit(
            .leadReplay, selection, report, rows: report.actions, detail: ["action_ids": "\(replayed.applied)"], by: actor,
            on: connection)
        return report
    }

    // MARK: Resolution

    /// A selection's organization, lead, pipeline and stage as ids, each checked to exist.
    struct Resolved {
        var org: String
        var leadID: Int?
        var pipelineID: Int?
        var stageID: Int?
    }

    /// A lead stage a lead is in now, with how many of its actions are unfinished.
    struct OpenStage {
        var id: Int
        var leadID: Int
        var stageID: Int
        var openActions: Int
    }

    static func resolve(_ selection: Selection, on connection: isolated PostgresConnection) throws -> Resolved {
        guard try connection.query("SELECT 1 FROM organizations WHERE id = $1", [selection.org]).first != nil else {
            throw Failure.unknownOrganization(selection.org)
        }
        var resolved = Resolved(org: selection.org)
        if let externalID = selection.externalID {
            let row = try connection.query(
                "SELECT id FROM leads WHERE org_id = $1 AND external_id = $2 AND deleted_at IS NULL",
                [selection.org, externalID]
            ).first
            guard let row else { throw Failure.unknownLead(org: selection.org, externalID: externalID) }
            resolved.leadID = try row.decode(Int.self, at: 0)
        } else if selection.pipeline == nil {
            throw Failure.pipelineRequired
        }
        if let pipeline = selection.pipeline {
            let row = try connection.query(
                "SELECT id FROM pipelines WHERE org_id = $1 AND name = $2", [selection.org, pipeline]
            ).first
            guard let row else { throw Failure.unknownPipeline(org: selection.org, pipeline: pipeline) }
            resolved.pipelineID = try row.decode(Int.self, at: 0)
        }
        if let stage = selection.stage {
            // A retired stage still selects the leads left in it.
            guard let id = try stageID(named: stage, pipelineID: resolved.pipelineID ?? 0, current: false, on: connection)
            else { throw Failure.unknownStage(pipeline: selection.pipeline ?? "", stage: stage) }
            resolved.stageID = id
        }
        return resolved
    }

    /// The id of the stage `name` of the pipeline; `current`: only a stage of the current definition.
    static func stageID(
        named name: String, pipelineID: Int, current: Bool, on connection: isolated PostgresConnection
    ) throws -> Int? {
        try connection.query(
            """
            SELECT id FROM pipeline_stages WHERE pipeline_id = $1 AND name = $2 AND (NOT $3 OR position IS NOT NULL)
            ORDER BY position NULLS LAST LIMIT 1
            """, [pipelineID, name, current]
        ).first?.decode(Int.self, at: 0)
    }

    /// The selected leads' current stages, with their unfinished actions counted.
    ///
    /// `locking` (every control but a dry run) locks first the leads — in id order, as ingest's writers do,
    /// so a delete, an all-channel unsubscribe or an enroll of the same lead waits for the control or the
    /// control for it, and a lead deleted meanwhile drops out — then the stages' unfinished actions in id order,
    /// then the stages: the order in which a result's transaction takes an action and then its stage, so the
    /// two never wait on each other in a cycle. Each step is a statement of its own, reading what committed
    /// before its locks were granted.
    static func openStages(
        _ resolved: Resolved, locking: Bool, on connection: isolated PostgresConnection
    ) throws -> [OpenStage] {
        let filter: [any PostgresEncodable] = [resolved.org, resolved.leadID, resolved.pipelineID, resolved.stageID]
        var leads: [Int]? = nil
        if locking {
            leads = try connection.query(lockLeadsStatement, filter).map { try $0.decode(Int.self, at: 0) }
            _ = try connection.query(lockActionsStatement, [leads])
        }
        return try connection.query(locking ? lockStagesStatement : openStagesStatement, filter + [leads]).map { row in
            let (id, leadID, stageID, open) = try row.decode((Int, Int, Int, Int).self)
            return OpenStage(id: id, leadID: leadID, stageID: stageID, openActions: open)
        }
    }

    /// The control's audit entry: `rows` counts the leads changed (the actions, for a replay); the detail keeps
    /// the whole report.
    private static func audit(
        _ action: AuditAction, _ selection: Selection, _ report: Report, rows: Int, detail: [String: String],
        by actor: AuditEntry.Actor, on connection: isolated PostgresConnection
    ) throws {
        var fields = detail
        fields["leads"] = "\(report.leads)"
        fields["stages"] = "\(report.stages)"
        fields["actions"] = "\(report.actions)"
        try AuditLog.record(
            action, by: actor, organizations: [selection.org], target: selection.target,
            detail: try PostgresJSON(encoding: fields), rowsAffected: rows, on: connection)
    }

    // MARK: SQL

    /// The selection's current stages as a condition on `ls`, over `$1…$4` (org, lead, pipeline, stage).
    static let selectedStages = """
        ls.org_id = $1 AND ls.exited_at IS NULL
          AND ($2::bigint IS NULL OR ls.lead_id = $2)
          AND ($3::bigint IS NULL OR ls.pipeline_id = $3)
          AND ($4::bigint IS NULL OR ls.stage_id = $4)
        """

    static let openActions = "a.status IN \(StageTransitions.unfinished)"

    /// The selected stages, each with its unfinished actions counted; `$5`: only these leads (nil: any).
    static func stagesSQL(locking: Bool) -> String {
        """
        SELECT ls.id, ls.lead_id, ls.stage_id,
               (SELECT count(*) FROM lead_stage_actions a WHERE a.lead_stage_id = ls.id AND \(openActions))::int
        FROM lead_stages ls
        WHERE \(selectedStages) AND ($5::bigint[] IS NULL OR ls.lead_id = ANY ($5::bigint[]))
        ORDER BY ls.id
        \(locking ? "FOR UPDATE OF ls" : "")
        """
    }

    static let openStagesStatement = PostgresStatement(name: "control_open_stages", sql: stagesSQL(locking: false))

    static let lockStagesStatement = PostgresStatement(name: "control_lock_stages", sql: stagesSQL(locking: true))

    /// Locks the live leads that have a selected stage, in id order.
    static let lockLeadsStatement = PostgresStatement(
        name: "control_lock_leads",
        sql: """
            SELECT l.id FROM leads l
            WHERE l.id IN (SELECT ls.lead_id FROM lead_stages ls WHERE \(selectedStages)) AND l.deleted_at IS NULL
            ORDER BY l.id
            FOR UPDATE OF l
            """)

    /// Locks the unfinished actions of the leads' current stages, in id order.
    static let lockActionsStatement = PostgresStatement(
        name: "control_lock_actions",
        sql: """
            SELECT a.id FROM lead_stage_actions a JOIN lead_stages ls ON ls.id = a.lead_stage_id
            WHERE ls.lead_id = ANY ($1::bigint[]) AND ls.exited_at IS NULL AND \(openActions)
            ORDER BY a.id
            FOR UPDATE OF a
            """)

    static let deadActionsStatement = PostgresStatement(
        name: "control_dead_actions",
        sql: """
            SELECT a.id FROM lead_stage_actions a JOIN lead_stages ls ON ls.id = a.lead_stage_id
            WHERE a.lead_id = $1 AND a.status = 'dead' AND ($2::bigint IS NULL OR ls.pipeline_id = $2)
            ORDER BY a.id
            """)
}
