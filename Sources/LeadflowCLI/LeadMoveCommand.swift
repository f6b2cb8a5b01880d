import ArgumentParser
import LeadflowStore

/// `leadflow lead move`: put a lead — or every selected lead — into another stage of its pipeline.
struct LeadMoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Move a lead, or every lead in a stage, to another stage of the pipeline.",
        discussion: """
            Each lead leaves its current stage of --pipeline (reason `moved`, unfinished actions canceled) and \
            enters --to, whose first action is due at once (a wait after its delay). Leads already there are left alone. A lead that is not \
            in the pipeline is an error: enroll it (`leadflow lead enroll`). Recorded in the lead's history with who \
            moved it, and in the audit log.
            """)

    @OptionGroup var options: LeadControlOptions

    @Option(help: "The stage to move the leads to.")
    var to: String

    func validate() throws {
        if options.pipeline == nil { throw ValidationError("--pipeline is required: the pipeline to move in") }
    }

    func run() async throws {
        let target = to
        try await options.run("moved") { selection, dryRun, actor, maxAttempts, connection in
            try LeadControls.move(
                selection, to: target, dryRun: dryRun, by: actor, defaultMaxAttempts: maxAttempts, on: connection)
        }
    }
}
