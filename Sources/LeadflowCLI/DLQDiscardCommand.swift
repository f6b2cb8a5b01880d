import ArgumentParser
import LeadflowStore

/// `leadflow dlq discard`: dead actions leave the dead letters as canceled.
struct DLQDiscardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard",
        abstract: "Cancel dead actions (noted in their last error); their leads' stages stay stopped.",
        discussion: "To move such a lead on, enroll it naming another stage; to stop it, unsubscribe it.")

    @OptionGroup var selection: DLQSelectionOptions

    func run() async throws {
        try await selection.run(.discard) { selection, dryRun, connection in
            try DeadLetters.discard(selection, dryRun: dryRun, on: connection)
        }
    }
}
