import LeadflowDomain
import Postgres

extension WorkQueue {
    /// A claimed action the scheduler could not dispatch, and why.
    public struct Undispatched: Sendable, Hashable {
        public var actionID: Int
        /// The attempt its claim started (the action's `attempts` since).
        public var attempt: Int
        /// Why it was not dispatched: its `last_error` from now on.
        public var reason: String

        public init(actionID: Int, attempt: Int, reason: String) {
            self.actionID = actionID
            self.attempt = attempt
            self.reason = reason
        }
    }

    /// Puts claimed actions the scheduler could not dispatch — no config, no dispatcher for their type, a
    /// dispatch that does not encode — back to `pending` at once, instead of leaving them `dispatched` until
    /// their lease ends: the attempt is given back (none reached a handler), they fall due again after `delay`
    /// (so a cause that lasts does not make claims spin on them) and `last_error` says why; each records
    /// `lead.action_retrying`. An action whose claimed attempt is no longer current, or that is no longer
    /// `dispatched`, is left as it is. Returns the ids put back.
    @discardableResult
    public static func returnUndispatched(
        _ actions: [Undispatched], delay: Duration, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws -> [Int] {
        guard !actions.isEmpty else { return [] }
        let rows = try connection.query(
            returnUndispatchedStatement,
            [actions.map(\.actionID), actions.map(\.attempt), actions.map(\.reason), delay.seconds])
        try recordFailures(rows, events: &events)
        return try rows.map { try $0.decode(Int.self, column: "id") }
    }

    /// Columns as ``failStatement``'s, for ``recordFailures(_:events:)``.
    static let returnUndispatchedStatement = PostgresStatement(
        name: "queue_return_undispatched",
        sql: """
            UPDATE lead_stage_actions a
            SET status = 'pending', attempts = a.attempts - 1, perform_at = now() + make_interval(secs => $4),
                locked_until = NULL, last_error = r.reason, updated_at = now()
            FROM unnest($1::bigint[], $2::int[], $3::text[]) AS r (id, attempt, reason)
            WHERE a.id = r.id AND a.attempts = r.attempt AND a.status = 'dispatched'
            RETURNING a.id, a.status, r.attempt, a.type, a.lead_id, a.org_id,
                      (SELECT external_id FROM leads WHERE leads.id = a.lead_id), a.last_error,
                      (SELECT trace_parent FROM lead_stages WHERE lead_stages.id = a.lead_stage_id), a.perform_at
            """)
}
