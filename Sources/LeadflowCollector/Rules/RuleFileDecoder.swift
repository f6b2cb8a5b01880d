import LeadflowYAML
import Yams

/// Turns a rule file (YAML, see docs/observability.md "Alert rules") into a `RuleSet`, reporting every problem
/// with its line and column.
public struct RuleFileDecoder: Sendable {
    public init() {}

    /// The rules `yaml` describes; throws all its problems at once, each located in `file`.
    public func decode(yaml: String, file: String = "") throws(RuleFileProblems) -> RuleSet {
        var reader = RuleFileReader(file: file)
        let root: Node?
        do {
            root = try YAMLNesting.compose(yaml: yaml)
        } catch {
            throw RuleFileProblems([reader.problem(forYAMLError: error)])
        }
        let rules = reader.ruleSet(from: root)
        guard reader.problems.isEmpty else { throw RuleFileProblems(reader.problems) }
        return rules
    }
}
