import Foundation
import LeadflowProto

/// Reads and decodes a pipeline YAML file, for the CLI and anything else that starts from a path.
public enum PipelineFile {
    /// The definition in the file at `path`; an unreadable file is reported as a problem at line 1.
    public static func load(path: String) throws(PipelineProblems) -> Leadflow_V1_PipelineDefinition {
        let yaml: String
        do {
            yaml = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineProblems([
                PipelineProblem(
                    file: path, line: 1, column: 1, message: "cannot read the file: \(error.localizedDescription)")
            ])
        }
        return try PipelineDecoder().decode(yaml: yaml, file: path)
    }
}
