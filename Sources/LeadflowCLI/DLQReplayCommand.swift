import ArgumentParser
import LeadflowStore

/// `leadflow dlq replay`: dead actions become pending again, due now, with a fresh attempt budget.
struct DLQReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Make dead actions pending again: due now, attempts reset, the same idempotency key.",
        discussion: """
            Actions of a stage their lead has left (moved on, unsubscribed, deleted) are skipped and reported. \
            The schedulers are woken at once (NOTIFY leadflow_due).
            """)

    @OptionGroup var selection: DLQSelectionOptions

    func run() async throws {
        try await selection.run(.replay) { selection, dryRun, connection in
            // This process has no PUB socket subscribers connect to: the bus sees the replay as the schedulers'
            // action_dispatched (attempt 1) that follows. The lead history keeps the replay, with who made it.
            var events = LeadEventLog(recording: false, history: true, actor: CLIActor.current)
            let replayed = try DeadLetters.replay(selection, dryRun: dryRun, events: &events, on: connection)
            try LeadHistory.write(events, on: connection)
            return replayed
        }
    }
}
