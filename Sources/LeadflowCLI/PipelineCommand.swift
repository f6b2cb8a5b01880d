import ArgumentParser
import LeadflowPipeline

/// `leadflow pipeline`: pipeline definition files, and the stored pipelines.
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Pipeline definition files (YAML; see docs/pipelines.md) and the stored pipelines: list, show, pause, resume.",
        subcommands: [
            Validate.self, PipelineApplyCommand.self, PipelineListCommand.self, PipelineShowCommand.self,
            PipelinePauseCommand.self, PipelineResumeCommand.self,
        ])

    /// `leadflow pipeline validate FILE…`: reports every problem of every file, compiler style.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check pipeline files; print `FILE: ok (…)` or each problem as `FILE:line:column: message`.",
            discussion: "Exits with status 1 when any file has a problem.")

        @Argument(help: "Pipeline YAML files.", completion: .file(extensions: ["yaml", "yml"]))
        var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                do {
                    let definition = try PipelineFile.load(path: file)
                    let actions = definition.stages.reduce(0) { $0 + $1.actions.count }
                    print("\(file): ok (\(plural(definition.stages.count, "stage")), \(plural(actions, "action")))")
                } catch {
                    failed = true
                    for problem in error.problems { print(problem) }
                }
            }
            if failed { throw ExitCode.failure }
        }

        private func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
    }
}
