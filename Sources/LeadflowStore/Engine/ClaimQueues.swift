import LeadflowDomain
import Postgres

/// The statements that prepare a fair claim: which queues have pending work, locking the channel rows of the
/// queues a claim may spend from, and reading their limits, tokens and in-flight counts.
enum ClaimQueues {
    /// A queue's oldest pending action.
    struct Head: Sendable, Hashable {
        var key: QueueKey
        /// Seconds until it is due by the database's clock; zero or less: due now.
        var dueIn: Double
        /// An operator paused the organization, or this channel of it (``OrganizationPauses``).
        var isPaused = false
    }

    /// What a channel row says at the claim.
    struct ChannelState: Sendable, Hashable {
        var key: QueueKey
        /// The organization's own limits, each `nil` for the configured default.
        var maxInFlight: Int?
        var ratePerSecond: Double?
        var burst: Int?
        /// Tokens left at the last spend; `nil`: a full bucket.
        var tokens: Double?
        /// Seconds since the last spend.
        var elapsed: Double
        /// Dispatched actions without a result.
        var inFlight: Int
    }

    /// Every queue with pending actions (due or not), one index probe each; creates the channel rows of
    /// external queues that are due, so they can be locked. With `organizations`, only those organizations'
    /// queues (one probe per organization and action type).
    static func heads(of organizations: [String]? = nil, on connection: isolated PostgresConnection) throws -> [Head] {
        let rows =
            if let organizations {
                try connection.query(
                    headsOfStatement, [organizations, ActionType.allCases.map(\.rawValue)])
            } else {
                try connection.query(headsStatement)
            }
        return try rows.map { row in
            let (org, typeName, dueIn, isPaused) = try row.decode((String, String, Double, Bool).self)
            return Head(
                key: QueueKey(org: org, type: try .stored(typeName, in: "lead_stage_actions")), dueIn: dueIn,
                isPaused: isPaused)
        }
    }

    /// Locks the channel rows of `keys` that no other claim holds; returns those (the others are being
    /// claimed from right now, by another scheduler).
    static func lock(_ keys: [QueueKey], on connection: isolated PostgresConnection) throws -> Set<QueueKey> {
        guard !keys.isEmpty else { return [] }
        let rows = try connection.query(lockStatement, [keys.map(\.org), keys.map(\.type.rawValue)])
        return Set(try rows.map { row in
            let (org, channel) = try row.decode((String, String).self)
            return QueueKey(org: org, type: try .stored(channel, in: "organization_channels"))
        })
    }

    /// The limits, tokens and in-flight counts of locked channel rows. A statement after ``lock(_:on:)``, so
    /// its snapshot sees every dispatch committed by the claim that held a lock before.
    static func states(_ keys: Set<QueueKey>, on connection: isolated PostgresConnection) throws -> [ChannelState] {
        guard !keys.isEmpty else { return [] }
        let sorted = keys.sorted()
        return try connection.query(statesStatement, [sorted.map(\.org), sorted.map(\.type.rawValue)]).map { row in
            let (org, channel, maxInFlight, rate, burst, tokens, elapsed, inFlight) =
                try row.decode((String, String, Int?, Double?, Int?, Double?, Double, Int).self)
            return ChannelState(
                key: QueueKey(org: org, type: try .stored(channel, in: "organization_channels")), maxInFlight: maxInFlight,
                ratePerSecond: rate, burst: burst, tokens: tokens, elapsed: elapsed, inFlight: inFlight)
        }
    }

    // MARK: SQL

    /// The end of both heads statements, after a `heads (org_id, type, perform_at)` CTE: creates the channel
    /// rows of external queues that are due, and returns each head with the seconds until it is due and
    /// whether it is paused.
    private static let headsResult = """
        ), channels AS (
            INSERT INTO organization_channels (org_id, channel)
            SELECT org_id, type FROM heads WHERE type IN ('email', 'sms', 'webhook') AND perform_at <= now()
            ON CONFLICT DO NOTHING
        )
        SELECT org_id, type, extract(epoch FROM perform_at - now())::float8,
               \(OrganizationPauses.isPaused(org: "heads.org_id", type: "heads.type")) FROM heads
        """

    /// A loose index scan over `lead_stage_actions_queue_idx`: each step jumps to the next (org, type) pair.
    static let headsStatement = PostgresStatement(
        name: "queue_heads",
        sql: """
            WITH RECURSIVE heads AS (
                (SELECT org_id, type, perform_at FROM lead_stage_actions
                 WHERE status = 'pending' ORDER BY org_id, type, perform_at LIMIT 1)
                UNION ALL
                SELECT n.org_id, n.type, n.perform_at
                FROM heads h CROSS JOIN LATERAL (
                    SELECT org_id, type, perform_at FROM lead_stage_actions
                    WHERE status = 'pending' AND (org_id, type) > (h.org_id, h.type)
                    ORDER BY org_id, type, perform_at LIMIT 1) n
            \(headsResult)
            """)

    /// The heads of the queues of some organizations ($1), each (organization, type $2) one index probe.
    static let headsOfStatement = PostgresStatement(
        name: "queue_heads_of",
        sql: """
            WITH heads AS (
                SELECT o.org_id, t.type, h.perform_at
                FROM unnest($1::text[]) AS o (org_id) CROSS JOIN unnest($2::text[]) AS t (type)
                CROSS JOIN LATERAL (
                    SELECT perform_at FROM lead_stage_actions
                    WHERE status = 'pending' AND org_id = o.org_id AND type = t.type
                    ORDER BY perform_at LIMIT 1) h
            \(headsResult)
            """)

    static let lockStatement = PostgresStatement(
        name: "queue_lock_channels",
        sql: """
            SELECT c.org_id, c.channel FROM organization_channels c
            JOIN unnest($1::text[], $2::text[]) AS k (org_id, channel)
              ON c.org_id = k.org_id AND c.channel = k.channel
            ORDER BY c.org_id, c.channel
            FOR UPDATE OF c SKIP LOCKED
            """)

    static let statesStatement = PostgresStatement(
        name: "queue_channel_states",
        sql: """
            SELECT c.org_id, c.channel, c.max_in_flight, c.rate_per_second, c.burst, c.tokens,
                   greatest(extract(epoch FROM now() - c.refilled_at), 0)::float8,
                   (SELECT count(*) FROM lead_stage_actions a
                    WHERE a.status = 'dispatched' AND a.org_id = c.org_id AND a.type = c.channel)::bigint
            FROM organization_channels c
            JOIN unnest($1::text[], $2::text[]) AS k (org_id, channel)
              ON c.org_id = k.org_id AND c.channel = k.channel
            """)
}
