import ArgumentParser
import LeadflowStore

/// `leadflow lead replay`: run a lead's dead actions again — after its fields were fixed.
struct LeadReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a lead's dead actions, e.g. after `leadflow lead upsert` fixed the field they lacked.",
        discussion: """
            Like `leadflow dlq replay` for the lead's dead actions (of --pipeline only, when given): pending again, \
            due now, attempts reset, the same idempotency key. An error when the lead has no dead action, or when \
            it has left the stages they belong to.
            """)

    @OptionGroup var options: LeadControlOptions

    func validate() throws {
        if options.externalID == nil { throw ValidationError("name the lead's external id") }
        if options.stage != nil { throw ValidationError("--stage does not apply to a replay") }
    }

    func run() async throws {
        try await options.run("replayed") { selection, dryRun, actor, _, connection in
            try LeadControls.replay(selection, dryRun: dryRun, by: actor, on: connection)
        }
    }
}
