import ArgumentParser

/// `leadflow dlq`: the dead letters — actions that failed permanently or ran out of attempts
/// (docs/dead-letters.md).
struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "List, show, replay or discard dead actions (failed permanently or out of attempts).",
        discussion: """
            A dead action stops its lead's stage: the actions after it stay blocked until it is replayed. \
            Exit status: 0 done; 1 a named action was skipped or not found, or no database is given or it \
            failed; 64 bad arguments.
            """,
        subcommands: [DLQListCommand.self, DLQShowCommand.self, DLQReplayCommand.self, DLQDiscardCommand.self])
}
