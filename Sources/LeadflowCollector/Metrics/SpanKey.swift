/// Identifies a span series: every span of one `component.operation`, whatever its org, outcome or attributes.
public struct SpanKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var component: String
    public var operation: String

    public init(component: String, operation: String) {
        self.component = component
        self.operation = operation
    }

    /// `component.operation`, the form rule files and log lines use.
    public var description: String { "\(component).\(operation)" }

    public static func < (lhs: SpanKey, rhs: SpanKey) -> Bool {
        (lhs.component, lhs.operation) < (rhs.component, rhs.operation)
    }
}
