import Foundation
import LeadflowDomain

/// One event of a lead's history, as the timeline shows it.
public struct LeadHistoryEntry: Sendable, Hashable, Codable {
    /// Where a page of a timeline ends: the next page starts after it.
    public struct Cursor: Sendable, Hashable {
        public var occurredAt: Date
        public var id: Int

        public init(occurredAt: Date, id: Int) {
            self.occurredAt = occurredAt
            self.id = id
        }
    }

    /// Orders the events of one transaction, which share `occurredAt`.
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

    /// The cursor of the page that ends with this entry.
    public var cursor: Cursor { Cursor(occurredAt: occurredAt, id: id) }
}
