/// Why telemetry could not start: a configuration that cannot work (see ``TelemetryConfiguration/problems()``).
public struct TelemetryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every problem found, readable.
    public var problems: [String]

    public init(problems: [String]) { self.problems = problems }

    public var description: String { "telemetry: " + problems.joined(separator: "; ") }
}
