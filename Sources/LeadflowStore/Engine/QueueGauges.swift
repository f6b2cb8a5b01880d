import Postgres

/// The work queue's levels at one moment, read with one statement for the scheduler's gauges: the backlog (due
/// and not dispatched) per type, the age of the oldest due action, actions dispatched per organization and type,
/// and dead letters. Every part reads a partial index (pending, dispatched, dead), so the cost follows those
/// levels and never the table's history (docs/observability.md).
public struct QueueGauges: Sendable, Equatable {
    /// Pending actions whose `perform_at` has passed, by type (internal types included).
    public var backlogByType: [String: Int] = [:]
    /// Seconds since the oldest due pending action became due; 0 when nothing is due.
    public var oldestDueAge: Double = 0
    /// Dispatched actions (with a handler, no result yet) by organization and type.
    public var inFlight: [Queue: Int] = [:]
    /// Actions in the dead state.
    public var deadLetters = 0
    /// Paused scopes (`all`, a channel or `pipeline:<name>`, in `type`) by organization (``OrganizationPauses``).
    public var paused: Set<Queue> = []

    /// An organization and action type.
    public struct Queue: Sendable, Hashable {
        public var org: String
        public var type: String

        public init(org: String, type: String) {
            self.org = org
            self.type = type
        }
    }

    public init() {}

    /// Due, undispatched actions of every type.
    public var backlog: Int { backlogByType.values.reduce(0, +) }

    /// Reads every level with ``statement``.
    public static func read(on connection: isolated PostgresConnection) throws -> QueueGauges {
        var gauges = QueueGauges()
        for row in try connection.query(statement) {
            let (kind, org, type, count, age) = try row.decode((String, String?, String?, Int, Double?).self)
            switch kind {
            case "backlog":
                gauges.backlogByType[type ?? "", default: 0] += count
                gauges.oldestDueAge = max(gauges.oldestDueAge, age ?? 0)
            case "in_flight":
                gauges.inFlight[Queue(org: org ?? "", type: type ?? ""), default: 0] += count
            case "paused":
                gauges.paused.insert(Queue(org: org ?? "", type: type ?? ""))
            default:
                gauges.deadLetters += count
            }
        }
        return gauges
    }

    /// One row per type with due work (count and oldest age), one per organization and type with dispatched
    /// actions, the dead count, and one per pause in force: index-only scans of `queue_idx`, `in_flight_idx` and
    /// `dead_idx`, and `organization_pauses_active_key`.
    static let statement = PostgresStatement(
        name: "queue_gauges",
        sql: """
            SELECT 'backlog' AS kind, NULL::text AS org_id, type, count(*)::bigint AS n,
                   greatest(extract(epoch FROM now() - min(perform_at)), 0)::float8 AS age
            FROM lead_stage_actions WHERE status = 'pending' AND perform_at <= now()
            GROUP BY type
            UNION ALL
            SELECT 'in_flight', org_id, type, count(*)::bigint, NULL
            FROM lead_stage_actions WHERE status = 'dispatched'
            GROUP BY org_id, type
            UNION ALL
            SELECT 'dead', NULL, NULL, count(*)::bigint, NULL
            FROM lead_stage_actions WHERE status = 'dead'
            UNION ALL
            SELECT 'paused', org_id,
                   CASE WHEN scope = 'pipeline'
                        THEN 'pipeline:' || (SELECT name FROM pipelines WHERE pipelines.id = pipeline_id) ELSE scope END,
                   1, NULL
            FROM organization_pauses WHERE resumed_at IS NULL
            """)
}
