import Foundation
import LeadflowDomain

/// One event of a lead's history, as the timeline shows it.
public struct LeadHistoryEntry: Sendable, Hashable, Codable {
    /// Where a page of a timeline ends: the next page starts after it. Its text form,
    /// `<microseconds since 1970>-<id>`, is the admin API's `next_cursor`.
    public struct Cursor: Sendable, Hashable, LosslessStringConvertible {
        public var occurredAt: Date
        public var id: Int

        public init(occurredAt: Date, id: Int) {
            self.occurredAt = occurredAt
            self.id = id
        }

        public var description: String { CursorText.text(occurredAt, id) }

        public init?(_ description: String) {
            guard let (time, id) = CursorText.parse(description) else { return nil }
            self.init(occurredAt: time, id: id)
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

    public init(
        id: Int, occurredAt: Date, kind: String, pipelineID: Int? = nil, pipeline: String? = nil, stageID: Int? = nil,
        stage: String? = nil, actionID: Int? = nil, actionType: String? = nil, attempt: Int? = nil,
        channel: String? = nil, error: String? = nil, reason: String? = nil, source: String? = nil,
        providerMessageID: String? = nil, durationMilliseconds: Double? = nil, dueAt: Date? = nil,
        traceID: String? = nil, actor: String? = nil
    ) {
        self.id = id
        self.occurredAt = occurredAt
        self.kind = kind
        self.pipelineID = pipelineID
        self.pipeline = pipeline
        self.stageID = stageID
        self.stage = stage
        self.actionID = actionID
        self.actionType = actionType
        self.attempt = attempt
        self.channel = channel
        self.error = error
        self.reason = reason
        self.source = source
        self.providerMessageID = providerMessageID
        self.durationMilliseconds = durationMilliseconds
        self.dueAt = dueAt
        self.traceID = traceID
        self.actor = actor
    }

    /// The cursor of the page that ends with this entry.
    public var cursor: Cursor { Cursor(occurredAt: occurredAt, id: id) }
}
