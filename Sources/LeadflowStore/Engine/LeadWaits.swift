import Foundation
import LeadflowDomain
import Postgres

/// "Why is it waiting": each open action of a lead with the reason the claim would give — the same pauses
/// (``OrganizationPauses``), suppression rule (``Suppressions``), channel budget (``ChannelBudget``) and queue
/// order (`perform_at`) the claim uses, so the answer cannot drift from what decides.
public enum LeadWaits {
    /// The lead's actions that are not finished — blocked, pending, held, dispatched, waiting or dead — stage by
    /// stage, in order. `defaults` are the configured tenant limits (`tenant.*`).
    public static func explain(
        leadID: Int, defaults: ChannelLimits, on connection: isolated PostgresConnection
    ) throws -> [ActionWait] {
        let rows = try connection.query(openActionsStatement, [leadID])
        var waits: [ActionWait] = []
        var due: [Due] = []
        var held: [Int] = []
        for row in rows {
            let (actionID, type, status, pipeline, stage, attempts, maxAttempts) =
                try row.decode((Int, String, String, String, String, Int, Int).self)
            let lastError = try row.decode(String?.self, at: 7)
            let performAt = try row.decode(Date?.self, at: 8)
            let dueIn = try row.decode(Double?.self, at: 9)
            let reason: ActionWait.Reason
            switch status {
            case ActionStatus.blocked.rawValue:
                reason = .blocked(
                    behindActionID: try row.decode(Int?.self, at: 13) ?? 0,
                    behindType: try row.decode(String?.self, at: 14) ?? "",
                    behindStatus: try row.decode(String?.self, at: 15) ?? "")
            case ActionStatus.dispatched.rawValue:
                reason = .withHandler(
                    dispatchedAt: try row.decode(Date?.self, at: 11), leaseUntil: try row.decode(Date?.self, at: 12))
            case ActionStatus.waiting.rawValue:
                reason = .waitingForReply(until: performAt ?? .distantFuture)
            case ActionStatus.dead.rawValue:
                reason = .dead
            case ActionStatus.held.rawValue:
                reason = .scheduled(dueAt: performAt ?? Date())
                held.append(waits.count)
            default:
                if let performAt, let dueIn, dueIn > 0 {
                    reason = .scheduled(dueAt: performAt)
                } else {
                    reason = .queued(ahead: 0)
                    due.append(
                        Due(
                            index: waits.count,
                            key: QueueKey(
                                org: try row.decode(String.self, at: 16),
                                type: try ActionType.stored(type, in: "lead_stage_actions")),
                            performAt: performAt ?? Date(), isSuppressed: try row.decode(Bool.self, at: 10),
                            pipeline: pipeline))
                }
            }
            waits.append(
                ActionWait(
                    actionID: actionID, type: type, status: status, pipeline: pipeline, stage: stage,
                    attempts: attempts, maxAttempts: maxAttempts, lastError: lastError, reason: reason))
        }
        // The organization's pauses, read once, when an action is held or due.
        let pauses =
            if !held.isEmpty || !due.isEmpty, let org = try rows.first?.decode(String.self, at: 16) {
                try OrganizationPauses.list(org: org, on: connection)
            } else {
                [OrganizationPauses.Pause]()
            }
        for index in held {
            // Resumed by a transaction after this snapshot's: pending again, with the due time shown.
            guard let pause = pauses.first(where: { $0.pipeline == waits[index].pipeline }) else { continue }
            waits[index].reason = .paused(
                scope: pause.scope, since: pause.pausedAt, by: pause.pausedBy, reason: pause.reason)
        }
        try explainDue(due, in: &waits, pauses: pauses, defaults: defaults, on: connection)
        return waits
    }

    /// A due pending action of the lead, to explain with the claim's rules.
    private struct Due {
        var index: Int
        var key: QueueKey
        var performAt: Date
        var isSuppressed: Bool
        var pipeline: String
    }

    /// Due actions, in the order the claim decides: paused (their organization, channel or pipeline — the
    /// claim holds a paused pipeline's action when it comes to it), held by their channel's limits, or in the queue
    /// behind the organization's earlier due actions of the type — to be sent, or canceled when its channel is
    /// suppressed for the lead (the claim cancels what it takes, within the same allowance).
    private static func explainDue(
        _ due: [Due], in waits: inout [ActionWait], pauses: [OrganizationPauses.Pause], defaults: ChannelLimits,
        on connection: isolated PostgresConnection
    ) throws {
        guard !due.isEmpty else { return }
        let external = Set(due.map(\.key).filter { $0.type.isExternal })
        let states = Dictionary(
            try ClaimQueues.states(external, on: connection).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let now = Date()
        for item in due {
            if let pause = pauses.first(where: {
                $0.scope == "all" || $0.scope == item.key.type.rawValue || $0.pipeline == item.pipeline
            }) {
                waits[item.index].reason = .paused(
                    scope: pause.scope, since: pause.pausedAt, by: pause.pausedBy, reason: pause.reason)
                continue
            }
            if let state = states[item.key] {
                let budget = ChannelBudget(state, defaults: defaults)
                if budget.room == 0 {
                    waits[item.index].reason = .inFlightLimit(inFlight: budget.inFlight, maxInFlight: budget.maxInFlight)
                    continue
                }
                if let nextToken = budget.nextTokenIn {
                    waits[item.index].reason = .rateLimited(
                        nextTokenAt: now.addingTimeInterval(nextToken), ratePerSecond: budget.ratePerSecond)
                    continue
                }
            }
            let ahead = try connection.query(
                aheadStatement, [item.key.org, item.key.type.rawValue, item.performAt, Self.aheadLimit]
            ).first?.decode(Int.self, at: 0) ?? 0
            waits[item.index].reason = item.isSuppressed ? .suppressed(ahead: ahead) : .queued(ahead: ahead)
        }
    }

    /// Most due actions counted ahead of one (an index range read, a millisecond or two); the explanation
    /// says "at least" at the limit.
    public static let aheadLimit = 10_000

    // MARK: SQL

    /// Columns: id, type, status, pipeline, stage, attempts, max attempts, last error, perform_at, seconds until
    /// due, suppressed, dispatched_at, locked_until, the previous action's id, type and status, org.
    static let openActionsStatement = PostgresStatement(
        name: "lead_open_actions",
        sql: """
            SELECT a.id, a.type, a.status, p.name, s.name, a.attempts, a.max_attempts, a.last_error, a.perform_at,
                   extract(epoch FROM a.perform_at - now())::float8,
                   a.type IN ('email', 'sms', 'webhook') AND \(Suppressions.isSuppressed(lead: "a.lead_id", type: "a.type")),
                   a.dispatched_at, a.locked_until, b.id, b.type, b.status, a.org_id
            FROM lead_stage_actions a
            JOIN lead_stages ls ON ls.id = a.lead_stage_id
            JOIN pipelines p ON p.id = ls.pipeline_id
            JOIN pipeline_stages s ON s.id = ls.stage_id
            LEFT JOIN LATERAL (
                SELECT id, type, status FROM lead_stage_actions
                WHERE lead_stage_id = a.lead_stage_id AND seq < a.seq ORDER BY seq DESC LIMIT 1) b ON true
            WHERE a.lead_id = $1 AND a.status IN ('blocked', 'pending', 'held', 'dispatched', 'waiting', 'dead')
            ORDER BY ls.entered_at, a.lead_stage_id, a.seq
            """)

    /// Due actions of the queue (org $1, type $2) that fell due before $3 — the claim takes each queue's oldest
    /// first — counted up to $4, one range of `lead_stage_actions_queue_idx`.
    static let aheadStatement = PostgresStatement(
        name: "lead_actions_ahead",
        sql: """
            SELECT count(*)::bigint FROM (
                SELECT 1 FROM lead_stage_actions
                WHERE status = 'pending' AND org_id = $1 AND type = $2 AND perform_at < $3
                LIMIT $4) ahead
            """)
}
