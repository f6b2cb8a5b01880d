import Yams

/// A YAML document that does not parse, located by line and column. The message is libyaml's problem text
/// only: Yams' own description quotes the offending line, which in a configuration file may hold a password.
public struct YAMLSyntaxProblem: Sendable, Hashable {
    /// 1-based, as editors count; 1 when libyaml gives no position.
    public var line: Int
    public var column: Int
    /// `not valid YAML: <problem>[ (<context> at line N)]`.
    public var message: String

    public init(_ error: any Error) {
        if let nesting = error as? YAMLNestingError {
            (line, column) = (nesting.line, nesting.column)
            message = "not valid YAML: nested deeper than \(YAMLNesting.maxDepth) levels"
            return
        }
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            line = mark.line
            column = mark.column
            message = "not valid YAML: \(problem)" + (context.map { " (\($0.text) at line \($0.mark.line))" } ?? "")
        case .reader(let problem, _, _, _):
            (line, column, message) = (1, 1, "not valid YAML: \(problem)")
        case .dataCouldNotBeDecoded:
            (line, column, message) = (1, 1, "not valid YAML: the text is not UTF-8")
        default:
            // Other Yams errors come from writing YAML, not reading it; name the kind only.
            (line, column, message) = (1, 1, "not valid YAML (\(type(of: error)))")
        }
    }
}
