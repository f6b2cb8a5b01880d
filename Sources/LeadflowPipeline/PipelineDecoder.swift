import LeadflowProto
import LeadflowYAML
import Yams

/// Turns a pipeline YAML document into a `Leadflow_V1_PipelineDefinition`, reporting every problem in it with
/// its line and column (see docs/pipelines.md for the format).
public struct PipelineDecoder: Sendable {
    public init() {}

    /// The definition `yaml` describes; throws all its problems at once, each located in `file`.
    public func decode(yaml: String, file: String = "") throws(PipelineProblems) -> Leadflow_V1_PipelineDefinition {
        var reader = PipelineYAMLReader(file: file, yaml: yaml)
        let root: Node?
        do {
            root = try YAMLNesting.compose(yaml: yaml)
        } catch {
            throw PipelineProblems([reader.problem(forYAMLError: error)])
        }
        let definition = reader.definition(from: root)
        // Structural problems come from the reader; the rules shared with `pipeline.upsert` come from the
        // validator and are located through the marks the reader recorded.
        var problems = reader.problems
        for issue in PipelineValidator().issues(in: definition) where !reader.alreadyReported(issue.path) {
            problems.append(reader.problem(issue.message, at: issue.path, offset: issue.offset))
        }
        guard problems.isEmpty else { throw PipelineProblems(problems) }
        return definition
    }
}
