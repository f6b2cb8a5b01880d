import Foundation
import LeadflowDomain

/// One event of a lead's history, as the timeline shows it.
public struct LeadHistoryEntry: Sendable, Hashable, Codable {
    /// The order events were written in: the timeline's order and its page cursor.
    public var id: Int
    public var occurredAt: Date
    /// The event's name (`lead.<kind>.<org>` for published events; `action_snoozed` for a snooze).
    public var kind: String
    public var pipelineID: Int?
    public var pipeline: String?
    public var stageID: Int?
    public var stage: String?
    public var actionID: Int?
    public var actionType: String?
    public var attempt: Int?
    /// `email`, `sms`, or `all` for an opt-out or opt-in of every channel.
    public var channel: String?
    public var error: String?
    public var reason: String?
    public var source: String?
    public var providerMessageID: String?
    public var durationMilliseconds: Double?
    /// When a retried or snoozed action is due again.
    public var dueAt: Date?
    public var traceID: String?
    /// Who did it, for operators' acts; `nil`: the engine.
    public var actor: String?
}
