import Foundation

/// One span slower than its slow-operation threshold: written as one JSON log line (`BreachLogLine`).
public struct Breach: Sendable, Hashable {
    /// Which threshold the span crossed.
    public enum Level: String, Sendable, Hashable, Codable {
        case warning, error
    }

    /// When the collector received the span.
    public var time: Date
    public var level: Level
    public var component: String
    public var operation: String
    /// Seconds.
    public var duration: TimeInterval
    /// Seconds.
    public var threshold: TimeInterval
    public var itemCount: UInt64
    public var dbQueries: UInt32
    public var org: String
    public var actionType: String
    public var outcome: String
    public var traceID: String
    public var attributes: [String: String]

    public init(
        time: Date, level: Level, component: String, operation: String, duration: TimeInterval,
        threshold: TimeInterval, itemCount: UInt64 = 0, dbQueries: UInt32 = 0, org: String = "",
        actionType: String = "", outcome: String = "", traceID: String = "", attributes: [String: String] = [:]
    ) {
        self.time = time
        self.level = level
        self.component = component
        self.operation = operation
        self.duration = duration
        self.threshold = threshold
        self.itemCount = itemCount
        self.dbQueries = dbQueries
        self.org = org
        self.actionType = actionType
        self.outcome = outcome
        self.traceID = traceID
        self.attributes = attributes
    }
}
