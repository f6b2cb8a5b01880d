import Foundation
import LeadflowDomain
import LeadflowPipeline
import LeadflowProto
import Postgres
import SwiftProtobuf

/// The scheduler's side of `lead_stage_actions`: claiming due work, running internal actions in SQL and
/// applying handler outcomes — each a constant number of statements per batch.
///
/// Every function runs on the caller's connection inside the caller's transaction.
public enum WorkQueue {
    /// Settings the queue's statements need.
    public struct Settings: Sendable {
        /// How long a handler may hold a dispatched action before it counts as lost.
        public var lease: Duration
        /// `max_attempts` of actions whose definition sets none.
        public var defaultMaxAttempts: Int
        /// The limits of every organization and channel without limits of its own (`organization_channels`).
        public var limits: ChannelLimits
        /// How long after its lease ends a dispatched action is still the handler's: its result is applied as
        /// usual, and it is not dispatched again before. Covers a result on its way when the lease ends — pushed
        /// again by a handler whose scheduler restarted, or delayed in a queue.
        public var leaseGrace: Duration

        public init(
            lease: Duration = .seconds(300), defaultMaxAttempts: Int = 5, limits: ChannelLimits = .init(),
            leaseGrace: Duration = .seconds(10)
        ) {
            self.lease = lease
            self.defaultMaxAttempts = defaultMaxAttempts
            self.limits = limits
            self.leaseGrace = leaseGrace
        }
    }

    /// What one claim did.
    public struct Claim: Sendable {
        /// External actions to hand to handlers, oldest due first.
        public var dispatches: [ClaimedAction] = []
        /// Internal actions run in the claim (waits over, moves, ends, wait-for-reply started or timed out).
        public var internalCount = 0
        /// Those internal actions, with their traces.
        public var internalActions: [InternalAction] = []
        /// External actions canceled instead of dispatched because their channel is suppressed for the lead
        /// (each lead went on to its next action).
        public var suppressedCount = 0
        /// Due actions of paused pipelines the claim took out of the queue (`held`) instead of running them.
        public var heldCount = 0
        /// Whether the claim took as many rows as it could: more work is probably due.
        public var wasFull = false
        /// When claiming again can find work, if nothing else happens first: the next action falls due, a
        /// throttled queue earns a token or a `wait_for_reply` times out. `nil`: nothing waits on time (a queue
        /// at its in-flight limit waits for results). Only computed when the claim was not full.
        public var wakeIn: Duration?
        /// Queues a limit held back in this claim.
        public var throttled: [QueueKey] = []
        /// Organizations that had due work: when several compete, the scheduler claims in smaller batches.
        public var organizations = 0
        /// Organizations with more due work than the claim took for them — a queue that filled its share, or
        /// that a limit held back: their next actions wait behind their own older ones.
        public var backlogged: Set<String> = []
        /// Time spent running internal actions and wait-for-reply time-outs, within the claim.
        public var internalDuration: Duration = .zero
        /// Statements the internal actions and time-outs ran, within the claim.
        public var internalQueries = 0
        /// Statements the whole claim ran.
        public var queries = 0
    }

    /// Claims up to `limit` due actions fairly across organizations (``ClaimPlan``) and within each
    /// organization's channel limits (`FOR UPDATE SKIP LOCKED`, so concurrent schedulers take disjoint rows
    /// and spend from each token bucket in turn): external ones become `dispatched` with a lease and one more
    /// attempt; internal ones run here. Also moves on `wait_for_reply` actions whose time-out has passed.
    /// Actions of the `excluded` types stay pending (their handlers are saturated). The claim takes up to
    /// `limit` actions, or up to `sharedLimit` when several organizations have due work (``ClaimPlan``).
    ///
    /// With `organizations` it is a *follow-up claim*: only those organizations' queues, and neither lease
    /// rescue nor `wait_for_reply` time-outs nor a wake time (the full claims do those) — the scheduler runs
    /// one after a result transaction, or a wake-up, for the organizations whose work it made due.
    public static func claim(
        limit: Int, sharedLimit: Int? = nil, excluding excluded: Set<ActionType> = [], organizations: [String]? = nil,
        settings: Settings, events: inout LeadEventLog, on connection: isolated PostgresConnection
    ) throws -> Claim {
        var claim = Claim()
        let firstRoundTrip = connection.roundTrips
        let isFollowUp = organizations != nil
        if !isFollowUp {
            try rescueExpiredLeases(limit: limit, grace: settings.leaseGrace, events: &events, on: connection)
        }
        let heads = try ClaimQueues.heads(of: organizations, on: connection)
        let external = heads.filter {
            $0.dueIn <= 0 && !$0.isPaused && $0.key.type.isExternal && !excluded.contains($0.key.type)
        }
        let locked = try ClaimQueues.lock(external.map(\.key), on: connection)
        let plan = ClaimPlan(
            heads: heads, excluding: excluded, locked: locked, states: try ClaimQueues.states(locked, on: connection),
            defaults: settings.limits, limit: limit, sharedLimit: sharedLimit)
        let batch = plan.batch
        claim.throttled = plan.throttled
        claim.organizations = plan.organizations
        let rows: [PostgresRow] =
            plan.allowances.isEmpty
            ? []
            : Array(try connection.query(
                claimStatement,
                [
                    plan.allowances.map(\.key.org), plan.allowances.map(\.key.type.rawValue),
                    plan.allowances.map(\.count), batch, settings.lease.seconds, settings.limits.ratePerSecond,
                    settings.limits.burst,
                ]))
        var taken: [QueueKey: Int] = [:]
        claim.wasFull = rows.count >= batch
        var due: [InternalActionRunner.Due] = []
        var suppressed: [(actionID: Int, leadID: Int)] = []
        for row in rows {
            let type = try row.decode(ActionType.self, at: 1)
            let actionID = try row.decode(Int.self, at: 0)
            let org = try row.decode(String.self, at: 6)
            taken[QueueKey(org: org, type: type), default: 0] += 1
            if try row.decode(Bool.self, at: 18) {
                claim.heldCount += 1
                continue
            }
            if try row.decode(Bool.self, at: 17) {
                let leadID = try row.decode(Int.self, at: 7)
                events.associate(try row.decode(TraceParent?.self, at: 15), lead: leadID)
                suppressed.append((actionID, leadID))
                continue
            }
            if type.isExternal {
                claim.dispatches.append(try claimed(row, type: type, events: &events))
                continue
            }
            let leadID = try row.decode(Int.self, at: 7)
            let trace = try row.decode(TraceParent?.self, at: 15) ?? .random()
            events.associate(trace, lead: leadID)
            due.append(
                InternalActionRunner.Due(
                    action: InternalAction(actionID: actionID, type: type, org: org, leadID: leadID, trace: trace),
                    target: try row.decode(Int?.self, at: 14)))
        }
        claim.internalActions = due.map(\.action)
        let maxAttempts = settings.defaultMaxAttempts
        let clock = ContinuousClock()
        let internalStart = (clock.now, connection.roundTrips)
        try InternalActionRunner.run(due, defaultMaxAttempts: maxAttempts, events: &events, on: connection)
        try ActionCompletion.cancelSuppressed(
            suppressed.map(\.actionID), from: [.pending], defaultMaxAttempts: maxAttempts, events: &events,
            on: connection)
        claim.suppressedCount = suppressed.count
        // A follow-up claim leaves time-outs to the full claims.
        let waited: [PostgresRow] = isFollowUp ? [] : Array(try connection.query(claimTimedOut, [batch]))
        let timedOut = try waited.map { row in
            let (actionID, target, org, leadID) = try row.decode((Int, Int?, String, Int).self)
            let trace = try row.decode(TraceParent?.self, at: 4) ?? .random()
            events.associate(trace, lead: leadID)
            claim.internalActions.append(
                InternalAction(actionID: actionID, type: .waitForReply, org: org, leadID: leadID, trace: trace))
            return ActionCompletion.Item(actionID: actionID, then: target.map { .stage($0) } ?? .next)
        }
        try ActionCompletion.succeed(
            timedOut, from: [.waiting], reason: .timedOut, defaultMaxAttempts: maxAttempts, events: &events,
            on: connection)
        // What those made due at once (a `wait 0s` after a `move`, say) runs in this claim too.
        let followUps = try InternalActionRunner.runFollowUps(
            ofLeads: Array(Set(claim.internalActions.map(\.leadID) + suppressed.map(\.leadID))),
            defaultMaxAttempts: maxAttempts,
            events: &events, on: connection)
        claim.internalActions += followUps
        claim.internalCount = claim.internalActions.count
        claim.internalDuration = clock.now - internalStart.0
        claim.internalQueries = connection.roundTrips - internalStart.1
        let filledShares = plan.allowances.filter { $0.isShare && taken[$0.key, default: 0] >= $0.count }
        claim.backlogged = Set(filledShares.map(\.key.org) + plan.throttled.map(\.org))
        claim.wasFull = claim.wasFull || timedOut.count >= batch || !filledShares.isEmpty
        if !claim.wasFull && !isFollowUp {
            let timeout = try connection.query(nextTimeout).scalar(Double?.self) ?? nil
            let seconds = [plan.wakeIn, timeout].compactMap { $0 }.min()
            claim.wakeIn = seconds.map { .milliseconds(Int64((max($0, 0) * 1000).rounded(.up))) }
        }
        claim.queries = connection.roundTrips - firstRoundTrip
        return claim
    }

    /// Dispatched actions whose lease has passed by more than `grace` — their handler is presumed gone —
    /// become due again (the claim dispatches them with the next attempt and the same idempotency key), or
    /// `dead` when their attempts are used up (`lead.action_retrying` / `lead.action_dead`). A late success for
    /// the lost attempt is still applied while no other attempt was dispatched (``apply(_:settings:events:on:)``);
    /// any other late result for it is ignored.
    static func rescueExpiredLeases(
        limit: Int, grace: Duration, events: inout LeadEventLog, on connection: isolated PostgresConnection
    ) throws {
        try recordFailures(try connection.query(rescueStatement, [limit, grace.seconds]), events: &events)
    }

    /// `lead.action_retrying` or `lead.action_dead` for rows of failed actions: id, status, attempt, type,
    /// lead id, org, external id, last error, trace, due time.
    static func recordFailures(_ rows: PostgresRows, events: inout LeadEventLog) throws {
        for row in rows {
            let (actionID, status, attempt, typeName, leadID, org, externalID, error) =
                try row.decode((Int, String, Int, String, Int, String, String, String?).self)
            guard status == ActionStatus.dead.rawValue || status == ActionStatus.pending.rawValue else { continue }
            events.associate(try row.decode(TraceParent?.self, at: 8), lead: leadID)
            events.record(
                status == ActionStatus.dead.rawValue ? .actionDead : .actionRetrying, org: org, leadID: leadID,
                externalID: externalID
            ) { event in
                event.actionID = Int64(actionID)
                event.actionType = ActionType(rawValue: typeName)?.proto ?? .unspecified
                event.attempt = UInt32(clamping: attempt)
                if let error { event.error = error }
            }
            if status == ActionStatus.pending.rawValue, let due = try row.decode(Date?.self, at: 9) {
                events.detailLast { $0.dueAt = due }
            }
        }
    }

    private static func claimed(_ row: PostgresRow, type: ActionType, events: inout LeadEventLog) throws -> ClaimedAction {
        let (actionID, _, attempt, leadStageID, pipelineActionID, idempotencyKey, org) =
            try row.decode((Int, String, Int, Int, Int, String, String).self)
        let dueAt = try row.decode(Date.self, at: 16)
        var lead = Leadflow_V1_LeadSnapshot()
        lead.leadID = Int64(try row.decode(Int.self, at: 7))
        lead.externalID = try row.decode(String.self, at: 8)
        lead.email = try row.decode(String?.self, at: 9) ?? ""
        lead.phone = try row.decode(String?.self, at: 10) ?? ""
        lead.firstName = try row.decode(String?.self, at: 11) ?? ""
        lead.lastName = try row.decode(String?.self, at: 12) ?? ""
        let attributes = try row.decode(String?.self, at: 13) ?? "{}"
        if attributes != "{}" {
            lead.attributes = (try? JSONDecoder().decode([String: String].self, from: Data(attributes.utf8))) ?? [:]
        }
        let trace = try row.decode(TraceParent?.self, at: 15) ?? .random()
        events.associate(trace, lead: Int(lead.leadID))
        events.record(.actionDispatched, org: org, leadID: Int(lead.leadID), externalID: lead.externalID) { event in
            event.actionID = Int64(actionID)
            event.actionType = type.proto
            event.attempt = UInt32(clamping: attempt)
        }
        return ClaimedAction(
            actionID: actionID, type: type, attempt: attempt, org: org, leadStageID: leadStageID,
            pipelineActionID: pipelineActionID, idempotencyKey: idempotencyKey, lead: lead, trace: trace,
            dueAt: dueAt)
    }

    /// What applying a batch of outcomes did.
    public struct Applied: Sendable {
        /// The actions the outcomes made dead.
        public var dead: Set<Int> = []
        /// Internal actions the successes made due at once and that ran in the same transaction (a `wait 0s`
        /// after an email, then a `move`…): the lead's next external action is due when the results commit.
        public var internalActions: [InternalAction] = []
        /// Time and statements those internal actions took, within the transaction.
        public var internalDuration: Duration = .zero
        public var internalQueries = 0
    }

    /// Applies handler outcomes. Outcomes for an attempt that is no longer the action's current one change
    /// nothing. A success counts while the action is dispatched, or pending or dead at that same attempt (its
    /// lease ran out and no other attempt was dispatched since); any other outcome only while it is dispatched.
    /// Canceled and finished actions are never changed. Internal actions the successes made due run in the same
    /// transaction (``InternalActionRunner``).
    @discardableResult
    public static func apply(
        _ outcomes: [ActionOutcome], settings: Settings, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws -> Applied {
        var successes: [ActionCompletion.Item] = []
        var failures: [ActionOutcome] = []
        var extended: [ActionOutcome] = []
        for outcome in outcomes {
            switch outcome.kind {
            case .succeeded: successes.append(.init(actionID: outcome.actionID, attempt: outcome.attempt))
            case .inProgress: extended.append(outcome)
            case .retry, .failedPermanently, .snoozed: failures.append(outcome)
            }
        }
        var applied = Applied()
        // A success counts while its attempt is still the action's: dispatched, or — its lease ran out first —
        // pending or dead without another attempt dispatched since. It was delivered; sending it again would
        // repeat it, and marking it dead would stop a lead that went through.
        defer { events.annotate(outcomes) }
        let succeeded = try ActionCompletion.succeed(
            successes, from: [.dispatched, .pending, .held, .dead], reason: .completed,
            defaultMaxAttempts: settings.defaultMaxAttempts, events: &events, on: connection)
        if !succeeded.isEmpty {
            let clock = ContinuousClock()
            let (start, before) = (clock.now, connection.roundTrips)
            applied.internalActions = try InternalActionRunner.runFollowUps(
                ofLeads: Array(Set(succeeded.map(\.leadID))), defaultMaxAttempts: settings.defaultMaxAttempts,
                events: &events, on: connection)
            applied.internalDuration = clock.now - start
            applied.internalQueries = connection.roundTrips - before
        }
        if !extended.isEmpty {
            try connection.execute(
                extendLease, [extended.map(\.actionID), extended.map(\.attempt), settings.lease.seconds])
        }
        guard !failures.isEmpty else { return applied }
        let rows = try connection.query(
            failStatement,
            [
                failures.map(\.actionID), failures.map(\.attempt),
                failures.map { outcome -> Double? in
                    switch outcome.kind {
                    case .retry(let delay), .snoozed(let delay): delay.seconds
                    case .failedPermanently, .succeeded, .inProgress: nil
                    }
                },
                failures.map { if case .snoozed = $0.kind { true } else { false } },
                failures.map { $0.error ?? "" },
            ])
        try recordFailures(rows, events: &events)
        for row in rows {
            let (actionID, status) = try row.decode((Int, String).self)
            if status == ActionStatus.dead.rawValue { applied.dead.insert(actionID) }
        }
        return applied
    }

    /// The configs of pipeline action rows by id, for building dispatches (rows never change once written).
    public static func actionConfigs(
        _ pipelineActionIDs: [Int], on connection: isolated PostgresConnection
    ) throws -> [Int: Leadflow_V1_Action] {
        var configs: [Int: Leadflow_V1_Action] = [:]
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        for row in try connection.query(loadConfigs, [pipelineActionIDs]) {
            let (id, json) = try row.decode((Int, String).self)
            configs[id] = try Leadflow_V1_Action(jsonString: json, options: options)
        }
        return configs
    }

    // MARK: SQL

    /// Takes up to each queue's allowance ($1 org, $2 type, $3 count) of its oldest due rows, then the batch
    /// ($4) in turns across organizations; external rows are leased ($5 seconds) and their channel's tokens
    /// spent ($6 and $7: the default rate and burst). Columns: id, type, attempts, lead_stage_id,
    /// pipeline_action_id, idempotency_key, org_id, lead id, external id, email, phone, first and last name,
    /// attributes, for internal rows the move target, the lead stage's trace, perform_at (when the action
    /// became due), whether it is an external action left pending because its channel is suppressed for the
    /// lead (the claim cancels it), and whether its pipeline is paused (the claim holds it).
    static let claimStatement = PostgresStatement(
        name: "queue_claim",
        sql: """
            WITH paused AS (
                -- FOR SHARE: a resume waits for this claim to commit, then releases what it held; a claim after
                -- the resume sees the pause ended and holds nothing.
                \(OrganizationPauses.pausedPipelineActions)
                FOR SHARE OF pause
            ), due AS (
                SELECT d.*
                FROM unnest($1::text[], $2::text[], $3::int[]) AS q (org_id, type, n)
                CROSS JOIN LATERAL (
                    SELECT id, org_id, perform_at, type, attempts, lead_stage_id, pipeline_action_id,
                           idempotency_key, lead_id
                    FROM lead_stage_actions
                    WHERE status = 'pending' AND org_id = q.org_id AND type = q.type AND perform_at <= now()
                    ORDER BY perform_at
                    LIMIT q.n
                    FOR UPDATE SKIP LOCKED) d
            ), turns AS (
                SELECT * FROM (
                    SELECT *, row_number() OVER (PARTITION BY org_id ORDER BY perform_at) AS turn FROM due) t
                ORDER BY turn, perform_at
                LIMIT $4
            ), held AS (
                -- Due actions of a pipeline paused since they became pending: out of the queue, once.
                SELECT t.*, t.pipeline_action_id IN (SELECT id FROM paused) AS held FROM turns t
            ), picked AS (
                -- The opt-out rule, checked here so a suppressed action is never leased: one key probe per
                -- external row taken.
                SELECT h.*, NOT h.held AND h.type IN ('email', 'sms', 'webhook')
                            AND \(Suppressions.isSuppressed(lead: "h.lead_id", type: "h.type")) AS suppressed
                FROM held h
            ), holding AS (
                UPDATE lead_stage_actions a SET status = 'held', updated_at = now()
                FROM picked WHERE a.id = picked.id AND picked.held
            ), leased AS (
                UPDATE lead_stage_actions a
                SET status = 'dispatched', attempts = a.attempts + 1, dispatched_at = now(), updated_at = now(),
                    locked_until = now() + make_interval(secs => $5)
                FROM picked
                WHERE a.id = picked.id AND picked.type IN ('email', 'sms', 'webhook') AND NOT picked.suppressed
                  AND NOT picked.held
                RETURNING a.id, a.type, a.attempts, a.lead_stage_id, a.pipeline_action_id, a.idempotency_key,
                          a.org_id, a.lead_id, a.perform_at
            ), spent AS (
                UPDATE organization_channels c
                SET tokens = greatest(
                        least(coalesce(c.burst, $7)::float8,
                              coalesce(c.tokens, coalesce(c.burst, $7)::float8)
                              + coalesce(c.rate_per_second, $6) * extract(epoch FROM now() - c.refilled_at))
                        - s.used, 0),
                    refilled_at = now()
                FROM (SELECT org_id, type, count(*) AS used FROM leased GROUP BY org_id, type) s
                WHERE c.org_id = s.org_id AND c.channel = s.type
            )
            SELECT x.id, x.type, x.attempts, x.lead_stage_id, x.pipeline_action_id, x.idempotency_key, x.org_id,
                   l.id, l.external_id, l.email, l.phone, l.first_name, l.last_name, l.attributes::text, NULL::bigint,
                   s.trace_parent, x.perform_at, false, false
            FROM leased x
            -- One primary-key probe per leased row, whatever the planner thinks of the leads table's size.
            CROSS JOIN LATERAL (SELECT * FROM leads WHERE leads.id = x.lead_id LIMIT 1) l
            CROSS JOIN LATERAL (
                SELECT trace_parent FROM lead_stages WHERE lead_stages.id = x.lead_stage_id LIMIT 1) s
            UNION ALL
            SELECT d.id, d.type, d.attempts, d.lead_stage_id, d.pipeline_action_id, d.idempotency_key, d.org_id,
                   d.lead_id, NULL, NULL, NULL, NULL, NULL, NULL, p.target_stage_id, s.trace_parent, d.perform_at,
                   d.suppressed, d.held
            FROM picked d
            CROSS JOIN LATERAL (
                SELECT target_stage_id FROM pipeline_stage_actions WHERE id = d.pipeline_action_id LIMIT 1) p
            CROSS JOIN LATERAL (
                SELECT trace_parent FROM lead_stages WHERE lead_stages.id = d.lead_stage_id LIMIT 1) s
            WHERE d.type NOT IN ('email', 'sms', 'webhook') OR d.suppressed OR d.held
            """)

    static let rescueStatement = PostgresStatement(
        name: "queue_rescue_expired",
        sql: """
            UPDATE lead_stage_actions a
            SET status = CASE WHEN a.attempts < a.max_attempts THEN 'pending' ELSE 'dead' END,
                perform_at = now(), locked_until = NULL, updated_at = now(),
                completed_at = CASE WHEN a.attempts < a.max_attempts THEN NULL ELSE now() END,
                last_error = 'lease expired: no result from the handler in time'
            FROM (
                SELECT id FROM lead_stage_actions
                WHERE status = 'dispatched' AND locked_until < now() - make_interval(secs => $2)
                ORDER BY locked_until
                LIMIT $1
                FOR UPDATE SKIP LOCKED
            ) expired
            WHERE a.id = expired.id
            RETURNING a.id, a.status, a.attempts, a.type, a.lead_id, a.org_id,
                      (SELECT external_id FROM leads WHERE leads.id = a.lead_id), a.last_error,
                      (SELECT trace_parent FROM lead_stages WHERE lead_stages.id = a.lead_stage_id), a.perform_at
            """)

    static let claimTimedOut = PostgresStatement(
        name: "queue_claim_timed_out",
        sql: """
            SELECT a.id, p.target_stage_id, a.org_id, a.lead_id,
                   (SELECT trace_parent FROM lead_stages WHERE lead_stages.id = a.lead_stage_id)
            FROM lead_stage_actions a JOIN pipeline_stage_actions p ON p.id = a.pipeline_action_id
            WHERE a.status = 'waiting' AND a.perform_at <= now()
              AND NOT \(OrganizationPauses.isPaused(org: "a.org_id", type: "a.type"))
            ORDER BY a.perform_at
            LIMIT $1
            FOR UPDATE OF a SKIP LOCKED
            """)

    static let extendLease = PostgresStatement(
        name: "queue_extend_lease",
        sql: """
            UPDATE lead_stage_actions a SET locked_until = now() + make_interval(secs => $3), updated_at = now()
            FROM unnest($1::bigint[], $2::int[]) AS r (id, attempt)
            WHERE a.id = r.id AND a.attempts = r.attempt AND a.status = 'dispatched'
            """)

    /// Retry (`$3` is the delay), permanent failure (`$3` NULL) and snooze (`$4`: the attempt is given back).
    /// A retry with no attempts left is dead.
    static let failStatement = PostgresStatement(
        name: "queue_fail",
        sql: """
            UPDATE lead_stage_actions a
            SET status = CASE WHEN r.delay IS NOT NULL AND (r.snooze OR a.attempts < a.max_attempts)
                              THEN 'pending' ELSE 'dead' END,
                perform_at = CASE WHEN r.delay IS NOT NULL AND (r.snooze OR a.attempts < a.max_attempts)
                                  THEN now() + make_interval(secs => r.delay) ELSE a.perform_at END,
                completed_at = CASE WHEN r.delay IS NOT NULL AND (r.snooze OR a.attempts < a.max_attempts)
                                    THEN NULL ELSE now() END,
                attempts = CASE WHEN r.snooze THEN a.attempts - 1 ELSE a.attempts END,
                last_error = CASE WHEN r.snooze THEN a.last_error ELSE nullif(r.error, '') END,
                locked_until = NULL, updated_at = now()
            FROM unnest($1::bigint[], $2::int[], $3::float8[], $4::boolean[], $5::text[])
                AS r (id, attempt, delay, snooze, error)
            WHERE a.id = r.id AND a.attempts = r.attempt AND a.status = 'dispatched'
            RETURNING a.id, a.status, r.attempt, a.type, a.lead_id, a.org_id,
                      (SELECT external_id FROM leads WHERE leads.id = a.lead_id),
                      -- A snooze keeps the action's last error, but its event carries the snooze's reason.
                      CASE WHEN r.snooze THEN coalesce(nullif(r.error, ''), a.last_error) ELSE a.last_error END,
                      (SELECT trace_parent FROM lead_stages WHERE lead_stages.id = a.lead_stage_id), a.perform_at
            """)

    static let loadConfigs = PostgresStatement(
        name: "queue_load_configs",
        sql: "SELECT id, config::text FROM pipeline_stage_actions WHERE id = ANY ($1::bigint[])")

    static let nextTimeout = PostgresStatement(
        name: "queue_next_timeout",
        sql: """
            SELECT extract(epoch FROM a.perform_at - now())::float8
            FROM lead_stage_actions a
            WHERE a.status = 'waiting' AND NOT \(OrganizationPauses.isPaused(org: "a.org_id", type: "a.type"))
            ORDER BY a.perform_at LIMIT 1
            """)
}
