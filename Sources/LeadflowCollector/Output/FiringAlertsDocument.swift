import Foundation

/// The JSON of `/alerts`: the alerts firing now, in the engine's order.
public struct FiringAlertsDocument: Sendable, Hashable, Codable {
    public struct Entry: Sendable, Hashable, Codable {
        public var rule: String
        public var severity: AlertSeverity
        public var summary: String
        public var labels: [String: String]
        public var value: Double
        public var threshold: Double
        public var unit: ValueUnit
        /// RFC 3339.
        public var startsAt: String
    }

    /// RFC 3339 time the document was made.
    public var generatedAt: String
    public var alerts: [Entry]

    public init(_ firing: [FiringAlert], at time: Date) {
        generatedAt = RFC3339.string(time)
        alerts = firing.map {
            Entry(
                rule: $0.rule, severity: $0.severity, summary: $0.summary, labels: $0.labels,
                value: $0.value.isFinite ? $0.value : 0, threshold: $0.threshold, unit: $0.unit,
                startsAt: RFC3339.string($0.startedAt))
        }
    }

    /// The document as JSON, keys sorted.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}
