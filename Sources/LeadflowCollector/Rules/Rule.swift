import Foundation

/// One alert rule of the rule file: a condition, how long it must hold before the alert fires (`for`) and be
/// clear before it resolves (`resolve_for`), and what the alert says.
public struct Rule: Sendable, Hashable {
    /// A subject token: the last token of `alert.<severity>.<name>`, the `alertname` label.
    public var name: String
    public var severity: AlertSeverity
    public var condition: RuleCondition
    /// Seconds the condition must hold, without a break, before the alert fires.
    public var holdFor: TimeInterval
    /// Seconds the condition must be clear, without a break, before a firing alert resolves.
    public var resolveFor: TimeInterval
    /// Extra labels on every alert of the rule.
    public var labels: [String: String]
    /// The summary template (see `SummaryTemplate`).
    public var summary: String

    public init(
        name: String, severity: AlertSeverity, condition: RuleCondition, holdFor: TimeInterval = 0,
        resolveFor: TimeInterval = 60, labels: [String: String] = [:], summary: String? = nil
    ) {
        self.name = name
        self.severity = severity
        self.condition = condition
        self.holdFor = holdFor
        self.resolveFor = resolveFor
        self.labels = labels
        self.summary = summary ?? condition.defaultSummary
    }
}
