import ArgumentParser

/// `leadflow lead …`: look a lead up — what happened to it and why it waits (docs/operations.md).
struct LeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lead",
        abstract: "Look a lead up: its fields, open actions and why each waits, and its history.",
        subcommands: [LeadShowCommand.self, LeadSearchCommand.self, LeadTimelineCommand.self])
}

/// Which lead: organization and external id, as every lead command names it.
struct LeadSelection: ParsableArguments {
    @Argument(help: "The lead's external id (LeadUpsert.external_id).")
    var externalID: String

    @Option(help: "The organization the lead belongs to.")
    var org: String
}
