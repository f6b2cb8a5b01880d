/// Every problem found in one pipeline definition, thrown together so a user can fix them in one pass.
public struct PipelineProblems: Error, Sendable, Hashable, CustomStringConvertible {
    /// Sorted by line, then column.
    public var problems: [PipelineProblem]

    public init(_ problems: [PipelineProblem]) {
        self.problems = problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    /// One problem per line, in source order.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
