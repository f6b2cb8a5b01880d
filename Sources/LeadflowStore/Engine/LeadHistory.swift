import Foundation
import LeadflowDomain
import LeadflowPipeline
import LeadflowProto
import Postgres

/// The durable history of every lead: each event written in the transaction that caused it, read back as a
/// lead's timeline, kept for a retention by dropping weekly partitions (docs/operations.md, "A lead's
/// history").
public enum LeadHistory {
    /// Longest error, reason, source or provider message id a row keeps, in characters; longer text is cut.
    static let textLimit = 2_000

    /// Writes the events of `log` (when it keeps history) with one statement. Of a lead deleted in the same
    /// transaction, only the events from its deletion on are written: those before it may quote the person.
    public static func write(_ log: LeadEventLog, on connection: isolated PostgresConnection) throws {
        guard log.keepsHistory, !log.events.isEmpty else { return }
        var deletedAt: [Int64: Int] = [:]
        for (index, event) in log.events.enumerated() where event.kind == .deleted && deletedAt[event.leadID] == nil {
            deletedAt[event.leadID] = index
        }
        var columns = Columns(capacity: log.events.count)
        for (index, (event, detail)) in zip(log.events, log.details).enumerated() {
            if let deletion = deletedAt[event.leadID], index < deletion { continue }
            columns.append(event, detail, trace: log.traces[Int(event.leadID)])
        }
        try connection.execute(
            insertStatement,
            [
                columns.orgs, columns.leads, columns.kinds, columns.pipelines, columns.stages, columns.actions,
                columns.types, columns.attempts, columns.channels, columns.errors, columns.reasons, columns.sources,
                columns.providerMessageIDs, columns.durations, columns.dueAts, columns.traceIDs, log.actor,
            ])
    }

    /// Deletes every history row of `leads` (a lead's erasure, `lead.delete`).
    static func erase(leads: [Int], on connection: isolated PostgresConnection) throws {
        guard !leads.isEmpty else { return }
        try connection.execute(eraseStatement, [leads])
    }

    /// Creates the weekly partitions from this week to `weeksAhead` weeks ahead that are missing; returns how
    /// many it created.
    public static func createPartitions(weeksAhead: Int, on connection: isolated PostgresConnection) throws -> Int {
        try connection.query(createPartitionsStatement, [weeksAhead]).first?.decode(Int.self, at: 0) ?? 0
    }

    /// Drops the weekly partitions that ended more than `retention` ago (and the default partition's rows
    /// older than that); returns how many partitions it dropped.
    public static func dropPartitions(olderThan retention: Duration, on connection: isolated PostgresConnection)
        throws -> Int
    {
        try connection.query(dropPartitionsStatement, [retention.seconds]).first?.decode(Int.self, at: 0) ?? 0
    }

    /// One array per column of the insert, in event order.
    private struct Columns {
        var orgs: [String] = [], leads: [Int] = [], kinds: [String] = []
        var pipelines: [Int?] = [], stages: [Int?] = [], actions: [Int?] = []
        var types: [String?] = [], attempts: [Int?] = [], channels: [String?] = []
        var errors: [String?] = [], reasons: [String?] = [], sources: [String?] = []
        var providerMessageIDs: [String?] = [], durations: [Double?] = [], dueAts: [Double?] = []
        var traceIDs: [String?] = []

        init(capacity: Int) { orgs.reserveCapacity(capacity) }

        mutating func append(_ event: Leadflow_V1_LeadEvent, _ detail: LeadEventLog.Detail, trace: TraceParent?) {
            orgs.append(event.org)
            leads.append(Int(event.leadID))
            kinds.append(detail.kind ?? event.kind.subjectToken)
            pipelines.append(event.pipelineID == 0 ? nil : Int(event.pipelineID))
            stages.append(event.stageID == 0 ? nil : Int(event.stageID))
            actions.append(event.actionID == 0 ? nil : Int(event.actionID))
            types.append(ActionType(proto: event.actionType)?.rawValue)
            attempts.append(event.attempt == 0 ? nil : Int(event.attempt))
            channels.append(Self.channel(of: event))
            errors.append(event.hasError ? Self.cut(event.error) : nil)
            reasons.append((detail.reason ?? (event.hasReason ? event.reason : nil)).map(Self.cut))
            sources.append(event.hasSource ? Self.cut(event.source) : nil)
            providerMessageIDs.append(detail.providerMessageID.map(Self.cut))
            durations.append(detail.durationMilliseconds)
            dueAts.append(detail.dueAt?.timeIntervalSince1970)
            traceIDs.append(trace?.traceID)
        }

        /// The channel of a reply, opt-out or opt-in, as `lead_suppressions` names it (`all`: every channel).
        static func channel(of event: Leadflow_V1_LeadEvent) -> String? {
            switch event.kind {
            case .replied, .unsubscribed, .resubscribed:
                switch event.channel {
                case .email: "email"
                case .sms: "sms"
                case .unspecified, .UNRECOGNIZED: event.kind == .replied ? nil : "all"
                }
            default: nil
            }
        }

        static func cut(_ text: String) -> String {
            text.count <= LeadHistory.textLimit ? text : String(text.prefix(LeadHistory.textLimit)) + "…"
        }
    }

    // MARK: SQL

    static let insertStatement = PostgresStatement(
        name: "history_insert",
        sql: """
            INSERT INTO lead_history (
                org_id, lead_id, kind, pipeline_id, stage_id, action_id, action_type, attempt, channel, error,
                reason, source, provider_message_id, duration_ms, due_at, trace_id, actor)
            SELECT e.org_id, e.lead_id, e.kind, e.pipeline_id, e.stage_id, e.action_id, e.action_type, e.attempt,
                   e.channel, e.error, e.reason, e.source, e.provider_message_id, e.duration_ms,
                   to_timestamp(e.due_at), e.trace_id, $17
            FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[],
                        $8::int[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::float8[],
                        $15::float8[], $16::text[])
                 WITH ORDINALITY AS e (org_id, lead_id, kind, pipeline_id, stage_id, action_id, action_type, attempt,
                                       channel, error, reason, source, provider_message_id, duration_ms, due_at,
                                       trace_id, n)
            ORDER BY e.n
            """)

    static let eraseStatement = PostgresStatement(
        name: "history_erase", sql: "DELETE FROM lead_history WHERE lead_id = ANY ($1::bigint[])")

    static let createPartitionsStatement = PostgresStatement(
        name: "history_create_partitions", sql: "SELECT lead_history_create_partitions($1::int)")

    static let dropPartitionsStatement = PostgresStatement(
        name: "history_drop_partitions", sql: "SELECT lead_history_drop_partitions(make_interval(secs => $1))")
}
