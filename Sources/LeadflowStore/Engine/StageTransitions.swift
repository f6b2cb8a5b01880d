import LeadflowDomain
import LeadflowProto
import Postgres

/// Leads entering and leaving pipeline stages, set-wise: one statement per batch, whatever its size.
///
/// Every function runs on the caller's connection inside the caller's transaction.
public enum StageTransitions {
    /// Why a lead left a stage (`lead_stages.exit_reason`).
    public enum ExitReason: String, Sendable {
        /// Its last action succeeded; the lead goes on to the next stage or leaves the pipeline.
        case completed
        /// A `move` action, or an enroll that names another stage.
        case moved
        /// An `end` action.
        case ended
        /// A reply sent the lead to the `on_reply` stage of a `wait_for_reply`.
        case replied
        /// A `wait_for_reply` timed out with a `then` stage.
        case timedOut = "timed_out"
        case unsubscribed
        case deleted
        /// An operator canceled the lead's open work (`leadflow lead cancel`).
        case canceled
    }

    /// A lead stage that was just left.
    public struct Exited: Sendable, Hashable {
        public let leadStageID: Int
        public let leadID: Int
        public let org: String
        public let pipelineID: Int
        public let stageID: Int
        /// The trace of the stage's work, which the stage it leads to inherits.
        public let trace: TraceParent?
    }

    /// Puts each lead into its stage: a `lead_stages` row, and one `lead_stage_actions` row per action of the
    /// stage's current version, the first `pending` (due now, or after its duration for a `wait`), the rest
    /// `blocked`. The lead stage keeps the entry's trace for all of its actions. A stage without actions is
    /// completed at once (its successor inherits the trace). The leads must not be in the pipeline already.
    ///
    /// The statement returns the entered stages, then (flag `true`) the ones that got actions; the difference
    /// is taken here, as a `NOT EXISTS` against the CTE would be a nested loop, quadratic in the batch.
    public static func enter(
        _ entries: [StageEntry], defaultMaxAttempts: Int, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws {
        var entries = entries
        // Each round moves a lead at least one stage forward through empty stages, so this ends.
        while !entries.isEmpty {
            for entry in entries { events.associate(entry.trace, lead: entry.leadID) }
            let rows = try connection.query(
                enterStatement,
                [
                    entries.map(\.leadID), entries.map(\.org), entries.map(\.pipelineID), entries.map(\.stageID),
                    defaultMaxAttempts, entries.map { $0.trace?.description },
                ])
            var entered: [Int] = []
            var withActions: Set<Int> = []
            for row in rows {
                if try row.decode(Bool.self, at: 8) {
                    withActions.insert(try row.decode(Int.self, at: 0))
                    continue
                }
                let (leadStageID, leadID, org, externalID, pipelineID, pipeline, stageID, stage) =
                    try row.decode((Int, Int, String, String, Int, String, Int, String).self)
                let place = StagePlace(pipelineID: pipelineID, pipeline: pipeline, stageID: stageID, stage: stage)
                events.record(.stageEntered, org: org, leadID: leadID, externalID: externalID, place.fill)
                entered.append(leadStageID)
            }
            let empty = entered.filter { !withActions.contains($0) }
            entries = try complete(leadStages: empty, events: &events, on: connection)
        }
    }

    /// Ends each lead stage (those already left are skipped) and cancels its unfinished actions. `note`, an
    /// operator's words on why, is kept in the history after the reason (`canceled: <note>`).
    @discardableResult
    public static func exit(
        leadStages: [Int], reason: ExitReason, note: String? = nil, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws -> [Exited] {
        guard !leadStages.isEmpty else { return [] }
        let rows = try connection.query(exitStatement, [leadStages, reason.rawValue])
        return try rows.map { row in
            let (leadStageID, leadID, org, externalID, pipelineID, stageID) =
                try row.decode((Int, Int, String, String, Int, Int).self)
            let trace = try row.decode(TraceParent?.self, at: 6)
            events.associate(trace, lead: leadID)
            let place = StagePlace(
                pipelineID: pipelineID, pipeline: try row.decode(column: "pipeline"), stageID: stageID,
                stage: try row.decode(column: "stage"))
            place.recordExit(reason, org: org, leadID: leadID, externalID: externalID, events: &events)
            if let note { events.detailLast { $0.reason = "\(reason.rawValue): \(note)" } }
            if reason == .ended {
                place.recordPipelineEnd(org: org, leadID: leadID, externalID: externalID, events: &events)
            }
            return Exited(
                leadStageID: leadStageID, leadID: leadID, org: org, pipelineID: pipelineID, stageID: stageID, trace: trace)
        }
    }

    /// Ends lead stages whose last action is done and returns where each lead goes next: the following stage
    /// by position, with the finished stage's trace. A lead after the last stage (or in a stage removed from
    /// the definition) leaves the pipeline.
    static func complete(
        leadStages: [Int], events: inout LeadEventLog, on connection: isolated PostgresConnection
    ) throws -> [StageEntry] {
        guard !leadStages.isEmpty else { return [] }
        let rows = try connection.query(completeStatement, [leadStages])
        var next: [StageEntry] = []
        for row in rows {
            let (leadID, org, externalID, pipelineID, stageID, nextStageID) =
                try row.decode((Int, String, String, Int, Int, Int?).self)
            let trace = try row.decode(TraceParent?.self, at: 6)
            events.associate(trace, lead: leadID)
            let place = StagePlace(
                pipelineID: pipelineID, pipeline: try row.decode(column: "pipeline"), stageID: stageID,
                stage: try row.decode(column: "stage"))
            place.recordExit(.completed, org: org, leadID: leadID, externalID: externalID, events: &events)
            if let nextStageID {
                next.append(
                    StageEntry(leadID: leadID, org: org, pipelineID: pipelineID, stageID: nextStageID, trace: trace))
            } else {
                place.recordPipelineEnd(org: org, leadID: leadID, externalID: externalID, events: &events)
            }
        }
        return next
    }

    /// Completes finished stages and enters the next ones.
    public static func advance(
        finishedLeadStages: [Int], defaultMaxAttempts: Int, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws {
        let next = try complete(leadStages: finishedLeadStages, events: &events, on: connection)
        try enter(next, defaultMaxAttempts: defaultMaxAttempts, events: &events, on: connection)
    }

    static let enterStatement = PostgresStatement(
        name: "stage_enter",
        sql: """
            WITH entered AS (
                INSERT INTO lead_stages (lead_id, org_id, pipeline_id, stage_id, trace_parent)
                SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $6::text[])
                RETURNING id, lead_id, org_id, pipeline_id, stage_id
            ), actions AS (
                INSERT INTO lead_stage_actions
                    (lead_stage_id, lead_id, org_id, pipeline_action_id, seq, type, status, perform_at, max_attempts)
                SELECT e.id, e.lead_id, e.org_id, a.id, a.seq, a.type,
                       CASE WHEN a.seq = 0 THEN 'pending' ELSE 'blocked' END,
                       CASE WHEN a.seq = 0 THEN now() + CASE WHEN a.type = 'wait' THEN a.delay ELSE interval '0' END
                       END,
                       coalesce(a.max_attempts, $5)
                FROM entered e
                JOIN pipelines p ON p.id = e.pipeline_id
                JOIN pipeline_stage_actions a ON a.stage_id = e.stage_id AND a.version = p.version
                RETURNING lead_stage_id, seq
            )
            SELECT e.id, e.lead_id, e.org_id, l.external_id, e.pipeline_id, p.name, e.stage_id, s.name, false
            FROM entered e
            CROSS JOIN LATERAL (SELECT external_id FROM leads WHERE leads.id = e.lead_id LIMIT 1) l
            JOIN pipelines p ON p.id = e.pipeline_id
            JOIN pipeline_stages s ON s.id = e.stage_id
            UNION ALL
            SELECT a.lead_stage_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, true FROM actions a WHERE a.seq = 0
            """)

    /// The statuses of an action that has not finished: what leaving the stage cancels, and what the operators'
    /// controls count as open work (``LeadControls``).
    static let unfinished = "('blocked', 'pending', 'held', 'dispatched', 'waiting')"

    static let exitStatement = PostgresStatement(
        name: "stage_exit",
        sql: """
            WITH exited AS (
                UPDATE lead_stages SET exited_at = now(), exit_reason = $2
                WHERE id = ANY ($1::bigint[]) AND exited_at IS NULL
                RETURNING id, lead_id, org_id, pipeline_id, stage_id, trace_parent
            ), canceled AS (
                UPDATE lead_stage_actions a
                SET status = 'canceled', completed_at = now(), locked_until = NULL, updated_at = now()
                FROM exited x
                WHERE a.lead_stage_id = x.id AND a.status IN \(unfinished)
            )
            SELECT x.id, x.lead_id, x.org_id, l.external_id, x.pipeline_id, x.stage_id, x.trace_parent,
                   p.name AS pipeline, s.name AS stage
            FROM exited x CROSS JOIN LATERAL (SELECT external_id FROM leads WHERE leads.id = x.lead_id LIMIT 1) l
            JOIN pipelines p ON p.id = x.pipeline_id
            JOIN pipeline_stages s ON s.id = x.stage_id
            """)

    static let completeStatement = PostgresStatement(
        name: "stage_complete",
        sql: """
            WITH exited AS (
                UPDATE lead_stages SET exited_at = now(), exit_reason = 'completed'
                WHERE id = ANY ($1::bigint[]) AND exited_at IS NULL
                RETURNING lead_id, org_id, pipeline_id, stage_id, trace_parent
            )
            SELECT x.lead_id, x.org_id, l.external_id, x.pipeline_id, x.stage_id, n.id, x.trace_parent,
                   p.name AS pipeline, cur.name AS stage
            FROM exited x
            CROSS JOIN LATERAL (SELECT external_id FROM leads WHERE leads.id = x.lead_id LIMIT 1) l
            JOIN pipelines p ON p.id = x.pipeline_id
            JOIN pipeline_stages cur ON cur.id = x.stage_id
            LEFT JOIN LATERAL (
                SELECT id FROM pipeline_stages
                WHERE pipeline_id = x.pipeline_id AND position > cur.position
                ORDER BY position LIMIT 1
            ) n ON true
            """)
}
