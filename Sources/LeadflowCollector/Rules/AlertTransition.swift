import Foundation

/// An alert firing or resolving: published once on `alert.<severity>.<rule>`, logged once, posted once.
public struct AlertTransition: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, Codable {
        case firing, resolved
    }

    public var state: State
    /// The alert at the transition; for a resolved one, its last value.
    public var alert: FiringAlert
    /// When it resolved; nil while firing.
    public var endedAt: Date?

    public init(state: State, alert: FiringAlert, endedAt: Date? = nil) {
        self.state = state
        self.alert = alert
        self.endedAt = endedAt
    }

    /// The subject the transition is published on, `alert.<severity>.<rule>`.
    public var subject: String { "alert.\(alert.severity.rawValue).\(alert.rule)" }
}
