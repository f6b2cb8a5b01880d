import Foundation
import Postgres

extension LeadHistory {
    /// A page of the history of lead `leadID` in the order it happened: the events after `cursor` (the last
    /// entry of the previous page), at most `limit`. `since` (the lead's creation) lets the query skip older
    /// partitions.
    public static func timeline(
        leadID: Int, since: Date, after cursor: LeadHistoryEntry.Cursor? = nil, limit: Int,
        on connection: isolated PostgresConnection
    ) throws -> [LeadHistoryEntry] {
        let rows = try connection.query(
            timelineStatement, [leadID, since, cursor?.occurredAt ?? since, cursor?.id ?? Int.min, limit])
        return try rows.map { row in
            LeadHistoryEntry(
                id: try row.decode(Int.self, at: 0), occurredAt: try row.decode(Date.self, at: 1),
                kind: try row.decode(String.self, at: 2), pipelineID: try row.decode(Int?.self, at: 3),
                pipeline: try row.decode(String?.self, at: 4), stageID: try row.decode(Int?.self, at: 5),
                stage: try row.decode(String?.self, at: 6), actionID: try row.decode(Int?.self, at: 7),
                actionType: try row.decode(String?.self, at: 8), attempt: try row.decode(Int?.self, at: 9),
                channel: try row.decode(String?.self, at: 10), error: try row.decode(String?.self, at: 11),
                reason: try row.decode(String?.self, at: 12), source: try row.decode(String?.self, at: 13),
                providerMessageID: try row.decode(String?.self, at: 14),
                durationMilliseconds: try row.decode(Double?.self, at: 15), dueAt: try row.decode(Date?.self, at: 16),
                traceID: try row.decode(String?.self, at: 17), actor: try row.decode(String?.self, at: 18))
        }
    }

    /// The lead's rows from its creation on (partitions before it are pruned at execution), after the cursor.
    static let timelineStatement = PostgresStatement(
        name: "history_timeline",
        sql: """
            SELECT h.id, h.occurred_at, h.kind, h.pipeline_id, p.name, h.stage_id, s.name, h.action_id,
                   h.action_type, h.attempt, h.channel, h.error, h.reason, h.source, h.provider_message_id,
                   h.duration_ms, h.due_at, h.trace_id, h.actor
            FROM lead_history h
            LEFT JOIN pipelines p ON p.id = h.pipeline_id
            LEFT JOIN pipeline_stages s ON s.id = h.stage_id
            WHERE h.lead_id = $1 AND h.occurred_at >= $2 AND (h.occurred_at, h.id) > ($3, $4)
            ORDER BY h.occurred_at, h.id
            LIMIT $5
            """)
}

extension LeadHistory {
    /// A page of `lead`'s timeline as ``timeline(leadID:since:after:limit:on:)`` gives it, with its
    /// organization's pauses and resumptions merged in by time (kinds `paused` and `resumed`, `channel` the
    /// paused scope, `pipeline` the paused pipeline's name, id 0: not a page cursor) — of pipelines, only those
    /// the lead has been in. A page holds the pauses from its cursor (or from the first) up
    /// to its last event — to now when it is the last page.
    public static func timelineWithPauses(
        of lead: LeadRecord, after cursor: LeadHistoryEntry.Cursor? = nil, limit: Int,
        on connection: isolated PostgresConnection
    ) throws -> [LeadHistoryEntry] {
        let entries = try timeline(leadID: lead.id, since: lead.createdAt, after: cursor, limit: limit, on: connection)
        let from = cursor?.occurredAt ?? .distantPast
        let to = entries.count == limit ? entries.last?.occurredAt ?? .distantFuture : .distantFuture
        var pauses: [LeadHistoryEntry] = []
        for pause in try OrganizationPauses.history(
            org: lead.org, since: lead.createdAt, leadID: lead.id, on: connection)
        {
            func entry(_ kind: String, _ at: Date, _ actor: String?) -> LeadHistoryEntry {
                LeadHistoryEntry(
                    id: 0, occurredAt: at, kind: kind, pipeline: pause.pipeline, channel: pause.scope,
                    reason: kind == "paused" ? pause.reason : nil, actor: actor)
            }
            if pause.pausedAt > from && pause.pausedAt <= to || cursor == nil && pause.pausedAt <= to {
                pauses.append(entry("paused", pause.pausedAt, pause.pausedBy))
            }
            if let resumed = pause.resumedAt, resumed > from && resumed <= to {
                pauses.append(entry("resumed", resumed, pause.resumedBy))
            }
        }
        guard !pauses.isEmpty else { return entries }
        return (entries + pauses).sorted { ($0.occurredAt, $0.id) < ($1.occurredAt, $1.id) }
    }
}
