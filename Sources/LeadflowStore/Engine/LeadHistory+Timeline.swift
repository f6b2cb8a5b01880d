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
