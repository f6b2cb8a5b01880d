/// Identifies a counter or gauge series: its `component.operation` and every dimension the measurement carried.
///
/// `outcome` is part of the key as well as org, action type and attributes, so `ingest.messages` keeps one total
/// per outcome (accepted, duplicate, rejected) instead of one sum.
public struct SeriesKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var component: String
    public var operation: String
    public var org: String
    public var actionType: String
    public var outcome: String
    public var attributes: [String: String]

    public init(
        component: String, operation: String, org: String = "", actionType: String = "", outcome: String = "",
        attributes: [String: String] = [:]
    ) {
        self.component = component
        self.operation = operation
        self.org = org
        self.actionType = actionType
        self.outcome = outcome
        self.attributes = attributes
    }

    /// The series' `component.operation`.
    public var name: SpanKey { SpanKey(component: component, operation: operation) }

    /// The dimensions as labels (`org`, `action_type`, `outcome`, then the attributes), empty ones left out.
    /// An attribute named like a fixed dimension never replaces it.
    public var labels: [String: String] {
        var labels = attributes
        for (label, value) in [("org", org), ("action_type", actionType), ("outcome", outcome)] {
            if value.isEmpty { labels[label] = nil } else { labels[label] = value }
        }
        return labels
    }

    public var description: String {
        let dimensions = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return dimensions.isEmpty ? name.description : "\(name){\(dimensions.joined(separator: ","))}"
    }

    public static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        if lhs.name != rhs.name { return lhs.name < rhs.name }
        return lhs.description < rhs.description
    }
}
