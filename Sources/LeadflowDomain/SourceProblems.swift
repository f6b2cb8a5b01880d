/// Every problem of one YAML source, thrown together so they can be fixed in one pass.
public struct SourceProblems: Error, Sendable, Hashable, CustomStringConvertible {
    /// Sorted by line, then column.
    public var problems: [SourceProblem]

    public init(_ problems: [SourceProblem]) {
        self.problems = problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    /// One problem per line, in source order.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
