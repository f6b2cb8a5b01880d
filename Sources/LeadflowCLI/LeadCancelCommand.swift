import ArgumentParser
import LeadflowStore

/// `leadflow lead cancel`: end a lead's open work — or every selected lead's — with a reason.
struct LeadCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel the open work of a lead, or of every lead in a pipeline or stage: it leaves the pipeline.",
        discussion: """
            The lead's current stages end with reason `canceled`; their blocked, pending, waiting and dispatched \
            actions are canceled (a handler's late result for one changes nothing). Recorded in the lead's history \
            with the reason and who canceled ($LEADFLOW_ACTOR, else cli:$USER), and in the audit log. A lead with no \
            open work is an error; a selection that matches no lead cancels nothing. Enroll a lead to start again.
            """)

    @OptionGroup var options: LeadControlOptions

    @Option(help: "Why, kept in the lead's history and the audit log.")
    var reason: String

    func validate() throws {
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must not be empty") }
        // As the admin API takes it.
        if reason.unicodeScalars.count > 500 { throw ValidationError("--reason must be at most 500 characters") }
    }

    func run() async throws {
        let reason = reason
        try await options.run("canceled") { selection, dryRun, actor, _, connection in
            try LeadControls.cancel(selection, reason: reason, dryRun: dryRun, by: actor, on: connection)
        }
    }
}
