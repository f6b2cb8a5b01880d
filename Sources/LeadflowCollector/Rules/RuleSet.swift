import Foundation

/// Everything a rule file says: the per-span slow-operation thresholds and the alert rules.
public struct RuleSet: Sendable, Hashable {
    public var slowOperations: SlowOperationThresholds
    public var rules: [Rule]

    public init(slowOperations: SlowOperationThresholds = SlowOperationThresholds(), rules: [Rule] = []) {
        self.slowOperations = slowOperations
        self.rules = rules
    }

    /// How far back the store must keep counter and gauge readings for these rules.
    public var requiredHistory: TimeInterval { rules.map(\.condition.requiredHistory).max() ?? 0 }
}
