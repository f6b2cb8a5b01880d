import Foundation

/// An alert as it stands: which rule, which series, the latest value, since when it fires.
public struct FiringAlert: Sendable, Hashable {
    public var rule: String
    public var severity: AlertSeverity
    /// The series' labels and the rule's own labels.
    public var labels: [String: String]
    public var summary: String
    public var value: Double
    public var threshold: Double
    public var unit: ValueUnit
    /// When it fired.
    public var startedAt: Date

    public init(
        rule: String, severity: AlertSeverity, labels: [String: String], summary: String, value: Double,
        threshold: Double, unit: ValueUnit, startedAt: Date
    ) {
        self.rule = rule
        self.severity = severity
        self.labels = labels
        self.summary = summary
        self.value = value
        self.threshold = threshold
        self.unit = unit
        self.startedAt = startedAt
    }
}
