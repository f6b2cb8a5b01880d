import LeadflowDomain
import LeadflowPipeline
import LeadflowProto
import Postgres

/// Finishing actions set-wise: success makes each lead's next action due, and a stage whose last action is
/// done hands the lead to the next stage; `move`, `end` and `wait_for_reply` targets leave the stage instead.
/// Either way the stage entered inherits the trace of the stage left (`lead_stages.trace_parent`).
public enum ActionCompletion {
    /// Where a lead goes once an action is finished.
    public enum Then: Sendable, Hashable {
        /// The next action of the stage (or the next stage after the last action).
        case next
        /// Leave the stage for another stage of the same pipeline.
        case stage(Int)
        /// Leave the pipeline.
        case end
    }

    /// An action to finish: its id, the attempt the outcome is about (`nil`: any), and where the lead goes.
    public struct Item: Sendable, Hashable {
        public var actionID: Int
        public var attempt: Int?
        public var then: Then

        public init(actionID: Int, attempt: Int? = nil, then: Then = .next) {
            self.actionID = actionID
            self.attempt = attempt
            self.then = then
        }
    }

    /// An action that was finished: actions no longer in `status` or at another attempt are left alone (a late
    /// or duplicate result changes nothing).
    public struct Finished: Sendable, Hashable {
        public let actionID: Int
        public let leadStageID: Int
        public let leadID: Int
        public let org: String
        public let type: ActionType
    }

    /// Marks the actions `succeeded` if they are still in one of `statuses` and moves each lead on as its item says.
    /// `reason` is recorded for leads that leave their stage for a `.stage` or `.end` target.
    @discardableResult
    public static func succeed(
        _ items: [Item], from statuses: [ActionStatus], reason: StageTransitions.ExitReason, defaultMaxAttempts: Int,
        events: inout LeadEventLog, on connection: isolated PostgresConnection
    ) throws -> [Finished] {
        guard !items.isEmpty else { return [] }
        let onward = items.filter { $0.then == .next }
        let leaving = items.filter { $0.then != .next }
        var finished = try finishAndAdvance(
            onward, as: .succeeded, from: statuses, defaultMaxAttempts: defaultMaxAttempts, events: &events,
            on: connection)
        if !leaving.isEmpty {
            let rows = try connection.query(
                succeedOnly, [leaving.map(\.actionID), leaving.map(\.attempt), statuses.map(\.rawValue)])
            var left: [Finished] = []
            for row in rows { left.append(try decodeFinished(row, as: .succeeded, events: &events)) }
            let targets = Dictionary(leaving.map { ($0.actionID, $0.then) }, uniquingKeysWith: { first, _ in first })
            let ending = left.filter { targets[$0.actionID] == .end }.map(\.leadStageID)
            let moving = left.filter { targets[$0.actionID] != .end }
            try StageTransitions.exit(
                leadStages: ending, reason: reason == .completed ? .ended : reason, events: &events, on: connection)
            let exited = try StageTransitions.exit(
                leadStages: moving.map(\.leadStageID), reason: reason, events: &events, on: connection)
            let targetOfStage = Dictionary(
                moving.compactMap { done -> (Int, Int)? in
                    guard case .stage(let stage) = targets[done.actionID] else { return nil }
                    return (done.leadStageID, stage)
                }, uniquingKeysWith: { first, _ in first })
            let entries = exited.compactMap { exit -> StageEntry? in
                targetOfStage[exit.leadStageID].map {
                    StageEntry(
                        leadID: exit.leadID, org: exit.org, pipelineID: exit.pipelineID, stageID: $0, trace: exit.trace)
                }
            }
            try StageTransitions.enter(
                entries, defaultMaxAttempts: defaultMaxAttempts, events: &events, on: connection)
            finished += left
        }
        return finished
    }

    /// Cancels actions whose channel is suppressed for their lead — `canceled` with `last_error = 'suppressed'`
    /// — where they are still in one of `statuses`, and moves each lead on as a success would: a suppressed
    /// step is skipped, never a stop (lead_event.proto, `KIND_ACTION_CANCELED`).
    @discardableResult
    public static func cancelSuppressed(
        _ actionIDs: [Int], from statuses: [ActionStatus], defaultMaxAttempts: Int, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws -> [Finished] {
        try finishAndAdvance(
            actionIDs.map { Item(actionID: $0) }, as: .suppressed, from: statuses,
            defaultMaxAttempts: defaultMaxAttempts, events: &events, on: connection)
    }

    /// How an action is finished: the row it leaves and the event it records.
    enum Ending {
        case succeeded
        case suppressed

        /// The `SET` list of the finishing `UPDATE`.
        var assignments: String {
            switch self {
            case .succeeded: "status = 'succeeded'"
            case .suppressed: "status = 'canceled', last_error = '\(ActionCompletion.suppressedReason)'"
            }
        }
    }

    /// `last_error` of an action canceled because its channel is suppressed, and the `reason` of its event.
    public static let suppressedReason = "suppressed"

    /// Finishes `items` (all `.next`) and makes each lead stage's next action due, or completes the stage.
    private static func finishAndAdvance(
        _ items: [Item], as ending: Ending, from statuses: [ActionStatus], defaultMaxAttempts: Int,
        events: inout LeadEventLog, on connection: isolated PostgresConnection
    ) throws -> [Finished] {
        guard !items.isEmpty else { return [] }
        let statement = ending == .succeeded ? succeedAndAdvance : cancelSuppressedAndAdvance
        let rows = try connection.query(
            statement, [items.map(\.actionID), items.map(\.attempt), statuses.map(\.rawValue)])
        var finished: [Finished] = []
        var continuing: Set<Int> = []
        for row in rows {
            if try row.decode(Bool.self, at: 7) {
                continuing.insert(try row.decode(Int.self, at: 1))
            } else {
                finished.append(try decodeFinished(row, as: ending, events: &events))
            }
        }
        let finishedStages = finished.map(\.leadStageID).filter { !continuing.contains($0) }
        try StageTransitions.advance(
            finishedLeadStages: finishedStages, defaultMaxAttempts: defaultMaxAttempts, events: &events,
            on: connection)
        return finished
    }

    private static func decodeFinished(
        _ row: PostgresRow, as ending: Ending, events: inout LeadEventLog
    ) throws -> Finished {
        let (actionID, leadStageID, leadID, org, externalID) = try row.decode((Int, Int, Int, String, String).self)
        let type = try row.decode(ActionType.self, at: 5)
        let attempts = try row.decode(Int.self, at: 6)
        let kind: Leadflow_V1_LeadEvent.Kind = ending == .succeeded ? .actionSucceeded : .actionCanceled
        events.record(kind, org: org, leadID: leadID, externalID: externalID) { event in
            event.actionID = Int64(actionID)
            event.actionType = type.proto
            switch ending {
            // Internal actions run in SQL without counting attempts: their one run is attempt 1.
            case .succeeded: event.attempt = UInt32(clamping: max(attempts, 1))
            case .suppressed:
                event.attempt = UInt32(clamping: attempts)
                event.reason = suppressedReason
            }
        }
        return Finished(actionID: actionID, leadStageID: leadStageID, leadID: leadID, org: org, type: type)
    }

    /// Finishes `$1` (ids) as `ending` says where they are still in one of the statuses `$3` and, where `$2`
    /// gives one, at that attempt; returns what the statements below need of them.
    static func finishing(_ ending: Ending) -> String {
        """
        WITH done AS (
            UPDATE lead_stage_actions a
            SET \(ending.assignments), completed_at = now(), locked_until = NULL, updated_at = now()
            FROM unnest($1::bigint[], $2::int[]) AS r (id, attempt)
            WHERE a.id = r.id AND a.status = ANY ($3::text[]) AND (r.attempt IS NULL OR a.attempts = r.attempt)
            RETURNING a.id, a.lead_stage_id, a.lead_id, a.org_id, a.type, a.attempts, a.seq
        )
        """
    }

    /// Finishing, then the next action of each lead stage goes from `blocked` to `pending` (due after its
    /// duration for a `wait`). Rows with `true` in the last column name lead stages that got a next action; the
    /// others are finished. (Two row kinds instead of a `NOT EXISTS` against the CTE, which the planner runs as
    /// a nested loop: quadratic in the batch.)
    static func finishAndAdvanceSQL(_ ending: Ending) -> String {
        """
        \(finishing(ending)), unblocked AS (
            UPDATE lead_stage_actions n
            SET status = 'pending', updated_at = now(),
                perform_at = now() + CASE WHEN n.type = 'wait' THEN coalesce(p.delay, interval '0')
                                          ELSE interval '0' END
            FROM done d, pipeline_stage_actions p
            WHERE n.lead_stage_id = d.lead_stage_id AND n.seq = d.seq + 1 AND n.status = 'blocked'
              AND p.id = n.pipeline_action_id
            RETURNING n.lead_stage_id
        )
        SELECT d.id, d.lead_stage_id, d.lead_id, d.org_id, l.external_id, d.type, d.attempts, false
        FROM done d CROSS JOIN LATERAL (SELECT external_id FROM leads WHERE leads.id = d.lead_id LIMIT 1) l
        UNION ALL
        SELECT NULL, u.lead_stage_id, NULL, NULL, NULL, NULL, NULL, true FROM unblocked u
        """
    }

    static let succeedAndAdvance = PostgresStatement(
        name: "action_succeed_advance", sql: finishAndAdvanceSQL(.succeeded))

    static let cancelSuppressedAndAdvance = PostgresStatement(
        name: "action_cancel_suppressed_advance", sql: finishAndAdvanceSQL(.suppressed))

    static let succeedOnly = PostgresStatement(
        name: "action_succeed",
        sql: """
            \(finishing(.succeeded))
            SELECT d.id, d.lead_stage_id, d.lead_id, d.org_id, l.external_id, d.type, d.attempts, false
            FROM done d CROSS JOIN LATERAL (SELECT external_id FROM leads WHERE leads.id = d.lead_id LIMIT 1) l
            """)
}
