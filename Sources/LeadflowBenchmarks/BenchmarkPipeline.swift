import LeadflowPipeline
import LeadflowProto

/// Pipelines for the demo and the end-to-end benchmark.
public enum BenchmarkPipeline {
    /// `examples/pipelines/three-step.yaml`, for when the demo runs outside the repository.
    public static let threeStepYAML = """
        name: three-step
        stages:
          - name: contact
            actions:
              - email:
                  sender: "Acme <hello@acme.test>"
                  subject: "Welcome, {{first_name}}"
                  text: "Hi {{first_name}}, thanks for signing up."
              - wait: 0s
              - sms:
                  sender: "+15550001111"
                  body: "Hi {{first_name}}, we just sent you an email."
        """

    /// A one-stage pipeline from `--steps`, e.g. `email,wait:0s,sms` or `webhook,wait:1s,email`.
    public static func fromSteps(_ steps: String, name: String = "bench") throws(PipelineProblems) -> Leadflow_V1_PipelineDefinition {
        var yaml = "name: \(name)\nstages:\n  - name: steps\n    actions:\n"
        for step in steps.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if step.hasPrefix("wait:") {
                yaml += "      - wait: \(step.dropFirst(5))\n"
                continue
            }
            switch step {
            case "email": yaml += "      - email: {sender: \"bench@leadflow.test\", subject: \"Hi {{first_name}}\", text: \"Hello {{first_name}}\"}\n"
            case "sms": yaml += "      - sms: {sender: \"+15550001111\", body: \"Hi {{first_name}}\"}\n"
            case "webhook": yaml += "      - webhook: {url: \"https://hooks.leadflow.test/bench\"}\n"
            default: yaml += "      - \(step)\n"  // Let the validator name the problem.
            }
        }
        return try PipelineDecoder().decode(yaml: yaml, file: "--steps")
    }
}
