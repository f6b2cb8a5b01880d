import ArgumentParser
import LeadflowStore

/// `leadflow pipeline pause ORG PIPELINE [--reason R]`: the pipeline's pending actions are held out of the queue.
struct PipelinePauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause one pipeline: its pending actions are held, what is in flight finishes.",
        discussion: """
            The pipeline's pending actions become held in the same transaction, and from the next claim on the \
            claims hold any action of it that falls due later (a result's next action, a new enrollment), so no \
            scheduler runs its work until `leadflow pipeline resume`. The organization's other pipelines go on. Recorded with who paused \
            ($LEADFLOW_ACTOR, else cli:$USER) and why; `leadflow lead show` names it as the reason work waits.
            """)

    @Argument(help: "The organization.")
    var org: String

    @Argument(help: "The pipeline's name.")
    var pipeline: String

    @Option(help: "Why, shown wherever the pause is.")
    var reason: String?

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let (actor, reason, scope) = (CLIActor.audit, reason, OrganizationPauses.Scope.pipeline(pipeline))
        let pause = try await OrgChannels.withDatabase(database) { [org] connection in
            try OrganizationPauses.pause(org: org, scope: scope, by: actor, reason: reason, on: connection)
        }
        let held = pause.actions ?? 0
        print("paused \(scope) of \(pause.org) (by \(pause.pausedBy)): \(held) pending action\(held == 1 ? "" : "s") held")
    }
}
