import LeadflowDomain

/// One queue of the fair claim: the pending actions of one organization and one action type.
public struct QueueKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var org: String
    public var type: ActionType

    public init(org: String, type: ActionType) {
        self.org = org
        self.type = type
    }

    public static func < (lhs: QueueKey, rhs: QueueKey) -> Bool {
        (lhs.org, lhs.type.rawValue) < (rhs.org, rhs.type.rawValue)
    }

    public var description: String { "\(org)/\(type.rawValue)" }
}
