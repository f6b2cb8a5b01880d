import Foundation
import LeadflowDomain
import LeadflowProto
import Postgres

/// Opt-outs per lead and channel (`lead_suppressions`, migration 9): recording unsubscribes and resubscribes
/// in an order-independent way, and the one rule that decides whether an action may go out to a lead.
///
/// Every function runs on the caller's connection inside the caller's transaction.
public enum Suppressions {
    /// The `lead_suppressions.channel` of a wire channel: `all` for CHANNEL_UNSPECIFIED, else the action type
    /// the channel holds back.
    public static func channelName(_ channel: Leadflow_V1_Channel) -> String {
        PipelineStore.ActionRows.channelName(channel) ?? allChannels
    }

    /// The channel name of an unsubscribe without a channel: every channel and all automation.
    public static let allChannels = "all"

    /// Every `lead_suppressions.channel`: what an all-channel resubscribe lifts.
    static let everyName = [allChannels, "email", "sms"]

    /// The rule, as SQL over a lead id and an action type expression: whether an action of that type must not
    /// go out to that lead (its channel, or every channel, is suppressed). The claim reads it per claimed
    /// external action — one primary-key probe — so nothing else restates it.
    static func isSuppressed(lead: String, type: String) -> String {
        """
        EXISTS (SELECT 1 FROM lead_suppressions sup
                WHERE sup.lead_id = \(lead) AND sup.channel IN ('\(allChannels)', \(type)) AND sup.suppressed)
        """
    }

    /// Whether the lead opted out of everything (`lead`: a lead id expression): enrolls are ignored and a dead
    /// action is not replayed.
    static func isUnsubscribedFromAll(lead: String) -> String {
        """
        EXISTS (SELECT 1 FROM lead_suppressions sup
                WHERE sup.lead_id = \(lead) AND sup.channel = '\(allChannels)' AND sup.suppressed)
        """
    }

    /// One opt-out or opt-in of a lead for a channel.
    struct Change: Sendable, Hashable {
        var leadID: Int
        /// `all`, `email` or `sms`.
        var channel: String
        /// When it happened by the client's account; `nil`: the transaction's time.
        var occurredAt: Date?
        var source: String?
        var reason: String?

        /// The `lead_suppressions` row it writes.
        var key: Key { Key(leadID: leadID, channel: channel) }
    }

    /// The primary key of a `lead_suppressions` row.
    struct Key: Sendable, Hashable {
        var leadID: Int
        var channel: String
    }

    /// Records `changes` as suppressions (`suppressed`) or their lifting, and returns the ones that took
    /// effect: of an existing row and a change, the later `changed_at` wins, and at equal times an opt-out does
    /// — so an unsubscribe and a resubscribe give the same result in either arrival order. Several changes of
    /// one lead and channel in a batch: the latest counts.
    static func record(
        _ changes: [Change], suppressed: Bool, on connection: isolated PostgresConnection
    ) throws -> Set<Change> {
        guard !changes.isEmpty else { return [] }
        let now = Date()
        var latest: [Key: Change] = [:]
        for change in changes {
            // One row may be written once per statement (ON CONFLICT); the latest change of it is the one that
            // counts anyway.
            if let earlier = latest[change.key], (earlier.occurredAt ?? now) > (change.occurredAt ?? now) { continue }
            latest[change.key] = change
        }
        let unique = Array(latest.values)
        let rows = try connection.query(
            recordStatement,
            [
                unique.map(\.leadID), unique.map(\.channel), unique.map { $0.occurredAt?.timeIntervalSince1970 },
                unique.map(\.source), unique.map(\.reason), suppressed,
            ])
        var taken: Set<Key> = []
        for row in rows {
            let (leadID, channel) = try row.decode((Int, String).self)
            taken.insert(Key(leadID: leadID, channel: channel))
        }
        return Set(unique.filter { taken.contains($0.key) })
    }

    /// The unfinished email or SMS actions of (`$1` lead, `$2` channel) pairs, with their status, locked: a
    /// per-channel unsubscribe cancels the pending and dispatched ones at once and leaves the blocked ones to
    /// the claim, which cancels them when they fall due. Locking the blocked ones too makes a result that
    /// would unblock one wait for this commit, so no claim can take it with a snapshot from before it
    /// (docs/engine.md, "Opt-outs").
    static let openActionsOnChannels = PostgresStatement(
        name: "suppression_open_actions",
        sql: """
            SELECT a.id, a.status
            FROM unnest($1::bigint[], $2::text[]) AS i (lead_id, channel)
            JOIN lead_stage_actions a ON a.lead_id = i.lead_id AND a.type = i.channel
            WHERE a.status IN ('blocked', 'pending', 'held', 'dispatched')
            ORDER BY a.id
            FOR UPDATE OF a
            """)

    static let recordStatement = PostgresStatement(
        name: "suppression_record",
        sql: """
            INSERT INTO lead_suppressions AS s (lead_id, channel, suppressed, changed_at, source, reason)
            -- A time in the future counts as now: a client's clock must not make an opt-out un-liftable (or an
            -- opt-in unbeatable) for years.
            SELECT i.lead_id, i.channel, $6, least(coalesce(to_timestamp(i.at), now()), now()), i.source, i.reason
            FROM unnest($1::bigint[], $2::text[], $3::float8[], $4::text[], $5::text[])
                AS i (lead_id, channel, at, source, reason)
            ON CONFLICT (lead_id, channel) DO UPDATE
            SET suppressed = EXCLUDED.suppressed, changed_at = EXCLUDED.changed_at, source = EXCLUDED.source,
                reason = EXCLUDED.reason, recorded_at = now()
            WHERE s.changed_at < EXCLUDED.changed_at OR (s.changed_at = EXCLUDED.changed_at AND EXCLUDED.suppressed)
            RETURNING s.lead_id, s.channel
            """)
}
