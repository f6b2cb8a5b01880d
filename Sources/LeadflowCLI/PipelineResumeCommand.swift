import ArgumentParser
import LeadflowStore

/// `leadflow pipeline resume ORG PIPELINE`: held actions are pending again and the schedulers wake.
struct PipelineResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a paused pipeline: its held actions are due again when they were, schedulers claim at once.")

    @Argument(help: "The organization.")
    var org: String

    @Argument(help: "The pipeline's name.")
    var pipeline: String

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let (actor, scope) = (CLIActor.audit, OrganizationPauses.Scope.pipeline(pipeline))
        let pause = try await OrgChannels.withDatabase(database) { [org] connection in
            try OrganizationPauses.resume(org: org, scope: scope, by: actor, on: connection)
        }
        let released = pause.actions ?? 0
        print(
            "resumed \(scope) of \(pause.org) (paused since \(pause.pausedAt.formatted(.iso8601)) by \(pause.pausedBy)): "
                + "\(released) held action\(released == 1 ? "" : "s") pending again")
    }
}
