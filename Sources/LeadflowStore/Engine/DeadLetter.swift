import Foundation
import LeadflowDomain
import Postgres

/// A dead action as the dead-letter tools list it: what it was, for which lead and stage, and how it died.
public struct DeadLetter: Sendable, Hashable {
    /// The action's id (`lead_stage_actions.id`, `ActionDispatch.action_id`).
    public let id: Int
    public let org: String
    public let type: ActionType
    /// `dead` in a listing; ``DeadLetters/show(_:on:)`` also shows actions replayed or discarded since.
    public let status: ActionStatus
    public let leadID: Int
    /// The client's id of the lead.
    public let externalID: String
    public let pipeline: String
    public let stage: String
    /// Attempts used; a replay resets them to 0.
    public let attempts: Int
    public let maxAttempts: Int
    public let lastError: String?
    /// When the action died (nil once it is pending again).
    public let completedAt: Date?
    /// Why a replay would skip the action; nil when it can be replayed.
    public let replayBlocker: DeadLetterSkip.Reason?

    /// The select list ``init(row:)`` reads, over `lead_stage_actions a`, `leads l`, `lead_stages ls`,
    /// `pipelines p` and `pipeline_stages s`.
    static let columns = """
        a.id, a.org_id, a.type, a.status, a.lead_id, l.external_id, p.name, s.name, a.attempts, a.max_attempts,
        a.last_error, a.completed_at, \(DeadLetterSkip.Reason.replayBlockerSQL), ls.exit_reason
        """

    /// How many columns ``columns`` lists.
    static let columnCount = 14

    /// The joins behind ``columns``.
    static let joins = """
        JOIN leads l ON l.id = a.lead_id
        JOIN lead_stages ls ON ls.id = a.lead_stage_id
        JOIN pipelines p ON p.id = ls.pipeline_id
        JOIN pipeline_stages s ON s.id = ls.stage_id
        """

    /// Reads the first columns of `row`, laid out as ``columns``.
    init(row: PostgresRow) throws {
        id = try row.decode(Int.self, at: 0)
        org = try row.decode(String.self, at: 1)
        type = try row.decode(ActionType.self, at: 2)
        status = try row.decode(ActionStatus.self, at: 3)
        leadID = try row.decode(Int.self, at: 4)
        externalID = try row.decode(String.self, at: 5)
        pipeline = try row.decode(String.self, at: 6)
        stage = try row.decode(String.self, at: 7)
        attempts = try row.decode(Int.self, at: 8)
        maxAttempts = try row.decode(Int.self, at: 9)
        lastError = try row.decode(String?.self, at: 10)
        completedAt = try row.decode(Date?.self, at: 11)
        replayBlocker = try DeadLetterSkip.Reason(replayBlocker: row, at: 12, status: status)
    }
}
