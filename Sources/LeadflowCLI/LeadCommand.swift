import ArgumentParser

/// `leadflow lead …`: look a lead up — what happened to it and why it waits (docs/operations.md).
struct LeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lead",
        abstract: "Look a lead up — its fields, open actions and why each waits, its history — write it, and control it.",
        discussion: """
            Writes (upsert, enroll, unsubscribe, resubscribe) go through ingest like any publisher's. Controls \
            (cancel, move, replay) act on the database in one transaction each, recorded in the lead's history and \
            the audit log with who made them.
            """,
        subcommands: [
            LeadShowCommand.self, LeadSearchCommand.self, LeadTimelineCommand.self, LeadUpsertCommand.self,
            LeadEnrollCommand.self, LeadUnsubscribeCommand.self, LeadResubscribeCommand.self, LeadCancelCommand.self,
            LeadMoveCommand.self, LeadReplayCommand.self,
        ])
}

/// Which lead: organization and external id, as every lead command names it.
struct LeadSelection: ParsableArguments {
    @Argument(help: "The lead's external id (LeadUpsert.external_id).")
    var externalID: String

    @Option(help: "The organization the lead belongs to.")
    var org: String
}
