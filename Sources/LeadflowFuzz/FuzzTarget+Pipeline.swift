import LeadflowCollector
import LeadflowPipeline

/// The YAML documents users write: pipelines (`pipeline validate`, `pipeline apply`) and collector rules.
extension FuzzTarget {
    static let pipeline = FuzzTarget(name: "pipeline", summary: "PipelineDecoder().decode(yaml:file:)") { input in
        do {
            _ = try PipelineDecoder().decode(yaml: String(decoding: input, as: UTF8.self), file: "fuzz.yaml")
        } catch {
            // Every problem is reported with a line; building the messages is part of what is fuzzed.
            _ = "\(error)"
        }
    }

    static let rules = FuzzTarget(name: "rules", summary: "RuleFileDecoder().decode(yaml:file:)") { input in
        do {
            _ = try RuleFileDecoder().decode(yaml: String(decoding: input, as: UTF8.self), file: "fuzz.yaml")
        } catch {
            _ = "\(error)"
        }
    }
}
