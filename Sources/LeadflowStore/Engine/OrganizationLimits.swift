import LeadflowDomain
import Postgres

/// The per-channel limits organizations have of their own (`leadflow org set-limits`); a limit not set is
/// the scheduler's configured default. Claims read them with the token buckets (``WorkQueue``).
public enum OrganizationLimits {
    /// A change to some of a channel's limits; `nil` fields stay as they are.
    public struct Change: Sendable, Hashable {
        public var maxInFlight: Int?
        public var ratePerSecond: Double?
        public var burst: Int?

        public init(maxInFlight: Int? = nil, ratePerSecond: Double? = nil, burst: Int? = nil) {
            self.maxInFlight = maxInFlight
            self.ratePerSecond = ratePerSecond
            self.burst = burst
        }

        /// Readable problems with the values given, empty when they are usable.
        public func problems() -> [String] {
            var problems: [String] = []
            if let maxInFlight, maxInFlight < 1 { problems.append("max in flight must be at least 1 (got \(maxInFlight))") }
            if let ratePerSecond, !(ratePerSecond > 0) || !ratePerSecond.isFinite {
                problems.append("rate per second must be a positive number (got \(ratePerSecond))")
            }
            if let burst, burst < 1 { problems.append("burst must be at least 1 (got \(burst))") }
            return problems
        }
    }

    /// One organization's channel: its own limits (`nil`: the default) and what is in flight now.
    public struct Channel: Sendable, Hashable {
        public var org: String
        public var channel: ActionType
        public var maxInFlight: Int?
        public var ratePerSecond: Double?
        public var burst: Int?
        public var inFlight: Int
    }

    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case unknownOrganization(String)
        case notAChannel(ActionType)
        case invalid([String])

        public var description: String {
            switch self {
            case .unknownOrganization(let org):
                "unknown organization '\(org)' (organizations are created by their first pipeline upsert)"
            case .notAChannel(let type):
                "\(type.rawValue) is not a channel; limits apply to email, sms and webhook"
            case .invalid(let problems): problems.joined(separator: "; ")
            }
        }
    }

    /// Applies `change` to each of `channels` of `org`.
    public static func set(
        _ change: Change, org: String, channels: [ActionType], on connection: isolated PostgresConnection
    ) throws {
        let problems = change.problems()
        guard problems.isEmpty else { throw Failure.invalid(problems) }
        try check(org: org, channels: channels, on: connection)
        try connection.execute(
            setStatement,
            [org, channels.map(\.rawValue), change.maxInFlight, change.ratePerSecond, change.burst])
    }

    /// Returns each of `channels` of `org` to the configured defaults.
    public static func reset(org: String, channels: [ActionType], on connection: isolated PostgresConnection) throws {
        try check(org: org, channels: channels, on: connection)
        try connection.execute(resetStatement, [org, channels.map(\.rawValue)])
    }

    /// The channels with limits of their own or work in flight, of `org` or of every organization. A channel this
    /// version does not know (a newer version's) is a decoding error, not shown as another channel.
    public static func list(org: String? = nil, on connection: isolated PostgresConnection) throws -> [Channel] {
        try connection.query(listStatement, [org]).map { row in
            let (org, channel, maxInFlight, rate, burst, inFlight) =
                try row.decode((String, String, Int?, Double?, Int?, Int).self)
            return Channel(
                org: org, channel: try .stored(channel, in: "organization_channels"), maxInFlight: maxInFlight,
                ratePerSecond: rate, burst: burst, inFlight: inFlight)
        }
    }

    private static func check(org: String, channels: [ActionType], on connection: isolated PostgresConnection) throws {
        if let internalType = channels.first(where: { !$0.isExternal }) { throw Failure.notAChannel(internalType) }
        guard try References.existingOrganizations([org], on: connection).contains(org) else {
            throw Failure.unknownOrganization(org)
        }
    }

    // MARK: SQL

    static let setStatement = PostgresStatement(
        name: "org_limits_set",
        sql: """
            INSERT INTO organization_channels AS c (org_id, channel, max_in_flight, rate_per_second, burst)
            SELECT $1, channel, $3, $4, $5 FROM unnest($2::text[]) AS channel
            ON CONFLICT (org_id, channel) DO UPDATE
            SET max_in_flight = coalesce(excluded.max_in_flight, c.max_in_flight),
                rate_per_second = coalesce(excluded.rate_per_second, c.rate_per_second),
                burst = coalesce(excluded.burst, c.burst),
                updated_at = now()
            """)

    static let resetStatement = PostgresStatement(
        name: "org_limits_reset",
        sql: """
            UPDATE organization_channels
            SET max_in_flight = NULL, rate_per_second = NULL, burst = NULL, updated_at = now()
            WHERE org_id = $1 AND channel = ANY ($2::text[])
            """)

    static let listStatement = PostgresStatement(
        name: "org_limits_list",
        sql: """
            SELECT c.org_id, c.channel, c.max_in_flight, c.rate_per_second, c.burst,
                   (SELECT count(*) FROM lead_stage_actions a
                    WHERE a.status = 'dispatched' AND a.org_id = c.org_id AND a.type = c.channel)::bigint
            FROM organization_channels c
            WHERE $1::text IS NULL OR c.org_id = $1
            ORDER BY c.org_id, c.channel
            """)
}
