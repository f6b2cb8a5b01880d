import LeadflowDomain
import Postgres

/// Runs internal actions in SQL inside the caller's transaction: the ones a claim took, and the ones that a
/// completion in the same transaction made due at once (a `wait 0s`, `move` or `end` after an email whose
/// result is being applied), so a lead's internal step never waits for another claim.
///
/// Every function runs on the caller's connection inside the caller's transaction.
enum InternalActionRunner {
    /// An internal action to run, with the stage a `move` (or a timed-out `wait_for_reply`) goes to.
    struct Due: Sendable, Hashable {
        var action: InternalAction
        var target: Int?
    }

    /// The most rounds of follow-ups one transaction runs (each round moves every lead in it one internal
    /// action on). A pipeline whose internal actions loop (`move` back and forth with no wait) is left to the
    /// claims after that, one step per claim, as before.
    static let followUpRounds = 8

    /// Succeeds waits that are over and moves and ends (leaving the stage as they say), and puts
    /// `wait_for_reply` actions into `waiting` until their time-out. The actions must be `pending` and
    /// locked by the caller's transaction.
    static func run(
        _ due: [Due], defaultMaxAttempts: Int, events: inout LeadEventLog, on connection: isolated PostgresConnection
    ) throws {
        var waits: [ActionCompletion.Item] = []
        var moves: [ActionCompletion.Item] = []
        var ends: [ActionCompletion.Item] = []
        var waitsForReply: [Int] = []
        for item in due {
            let actionID = item.action.actionID
            switch item.action.type {
            case .email, .sms, .webhook: preconditionFailure("an external action is not run in SQL")
            case .wait: waits.append(.init(actionID: actionID))
            case .move: moves.append(.init(actionID: actionID, then: item.target.map { .stage($0) } ?? .next))
            case .end: ends.append(.init(actionID: actionID, then: .end))
            case .waitForReply: waitsForReply.append(actionID)
            }
        }
        try ActionCompletion.succeed(
            waits, from: [.pending], reason: .completed, defaultMaxAttempts: defaultMaxAttempts, events: &events,
            on: connection)
        try ActionCompletion.succeed(
            moves, from: [.pending], reason: .moved, defaultMaxAttempts: defaultMaxAttempts, events: &events,
            on: connection)
        try ActionCompletion.succeed(
            ends, from: [.pending], reason: .ended, defaultMaxAttempts: defaultMaxAttempts, events: &events,
            on: connection)
        if !waitsForReply.isEmpty { try connection.execute(startWaiting, [waitsForReply]) }
    }

    /// Runs the internal actions of `leads` that are pending and due now — the ones this transaction's
    /// completions just made due — then theirs, for up to ``followUpRounds`` rounds; returns what it ran.
    /// Rows another transaction holds are skipped: a claim is running them.
    static func runFollowUps(
        ofLeads leads: [Int], defaultMaxAttempts: Int, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws -> [InternalAction] {
        var leads = leads
        var ran: [InternalAction] = []
        for _ in 0..<followUpRounds where !leads.isEmpty {
            let due = try connection.query(dueOfLeads, [leads]).map { row in
                let (actionID, typeName, target, org, leadID) = try row.decode((Int, String, Int?, String, Int).self)
                guard let type = ActionType(rawValue: typeName), !type.isExternal else {
                    throw PostgresError(kind: .decoding, message: "unexpected action type \(typeName) in a follow-up")
                }
                let trace = try row.decode(TraceParent?.self, at: 5) ?? .random()
                events.associate(trace, lead: leadID)
                return Due(
                    action: InternalAction(actionID: actionID, type: type, org: org, leadID: leadID, trace: trace),
                    target: target)
            }
            if due.isEmpty { break }
            try run(due, defaultMaxAttempts: defaultMaxAttempts, events: &events, on: connection)
            ran += due.map(\.action)
            leads = Array(Set(due.map(\.action.leadID)))
        }
        return ran
    }

    // MARK: SQL

    /// The pending, due internal actions of the leads `$1` whose organization and pipeline are not paused
    /// (the next claim holds the latter), locked (in id order); columns: id, type, move target, org, lead id, the lead stage's trace.
    static let dueOfLeads = PostgresStatement(
        name: "internal_due_of_leads",
        sql: """
            SELECT a.id, a.type, p.target_stage_id, a.org_id, a.lead_id,
                   (SELECT trace_parent FROM lead_stages WHERE lead_stages.id = a.lead_stage_id)
            FROM lead_stage_actions a JOIN pipeline_stage_actions p ON p.id = a.pipeline_action_id
            WHERE a.lead_id = ANY ($1::bigint[]) AND a.status = 'pending' AND a.perform_at <= now()
              AND a.type IN ('wait', 'move', 'end', 'wait_for_reply')
              AND NOT \(OrganizationPauses.isPaused(org: "a.org_id", type: "a.type"))
              AND a.pipeline_action_id NOT IN (\(OrganizationPauses.pausedPipelineActions))
            ORDER BY a.id
            FOR UPDATE OF a SKIP LOCKED
            """)

    static let startWaiting = PostgresStatement(
        name: "queue_start_waiting",
        sql: """
            UPDATE lead_stage_actions a
            SET status = 'waiting', perform_at = now() + coalesce(p.delay, interval '0'), updated_at = now()
            FROM pipeline_stage_actions p
            WHERE a.id = ANY ($1::bigint[]) AND a.status = 'pending' AND p.id = a.pipeline_action_id
            """)
}
