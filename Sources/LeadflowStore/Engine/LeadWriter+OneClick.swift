import Foundation
import LeadflowProto
import Postgres

extension LeadWriter {
    /// What a one-click unsubscribe found and did.
    public enum OneClickOutcome: String, Sendable, Hashable {
        /// The suppression is recorded now.
        case unsubscribed
        /// The lead was suppressed on the channel (or on every channel) already: nothing was written.
        case alreadyUnsubscribed = "already_unsubscribed"
        /// The lead was deleted: nothing is sent to it anyway, and nothing was written.
        case deleted
        /// No lead with that id in that organization.
        case unknownLead = "unknown_lead"
    }

    /// The `source` of the opt-outs one-click links record.
    public static let oneClickSource = "list_unsubscribe"

    /// Records that lead `leadID` of `org` opted out of `channel` through the link of an email (RFC 8058) by
    /// the path a `lead.unsubscribe` takes (``unsubscribe(_:defaultMaxAttempts:events:on:)``, source
    /// `list_unsubscribe`): the suppression, the channel's pending and dispatched actions canceled, the
    /// `unsubscribed` event, and a wake-up for the schedulers at commit. The lead is locked first, and one
    /// already suppressed changes nothing, so a link followed twice — or a thousand times — writes once.
    public static func unsubscribe(
        leadID: Int, org: String, channel: Leadflow_V1_Channel, defaultMaxAttempts: Int, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws -> OneClickOutcome {
        let name = Suppressions.channelName(channel)
        guard let row = try connection.query(oneClickLead, [leadID, org, name]).first else { return .unknownLead }
        let (externalID, deleted, suppressed) = try row.decode((String, Bool, Bool).self)
        if deleted { return .deleted }
        if suppressed { return .alreadyUnsubscribed }
        var message = Leadflow_V1_LeadUnsubscribe()
        message.externalID = externalID
        message.channel = channel
        message.source = oneClickSource
        message.reason = "one-click unsubscribe link"
        try unsubscribe([Scoped(org: org, message)], defaultMaxAttempts: defaultMaxAttempts, events: &events, on: connection)
        // As ingest does after an opt-out: the actions after the canceled ones may be due now.
        try SchedulerWakeup.notify(organizations: [org], on: connection)
        return .unsubscribed
    }

    /// The lead's external id, whether it is deleted, and whether `$3` (or every channel) is suppressed, the
    /// lead locked as the unsubscribe will lock it.
    static let oneClickLead = PostgresStatement(
        name: "lead_one_click",
        sql: """
            SELECT l.external_id, l.deleted_at IS NOT NULL, \(Suppressions.isSuppressed(lead: "l.id", type: "$3"))
            FROM leads l
            WHERE l.id = $1 AND l.org_id = $2
            FOR UPDATE OF l
            """)
}
