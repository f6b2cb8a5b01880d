import ArgumentParser
import LeadflowStore

/// `leadflow dlq list`: dead actions, the newest death first, a page at a time.
struct DLQListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List dead actions, the newest death first.",
        discussion: """
            A full page ends with the --cursor that continues it. REPLAY says whether a replay can take the action \
            (docs/dead-letters.md).
            """)

    @OptionGroup var filter: DLQFilterOptions

    @Option(help: "At most this many (1-1000).")
    var limit = 50

    @Option(
        help: ArgumentHelp("Continue after the previous page (the cursor it printed).", valueName: "cursor"),
        transform: { text in
            guard let cursor = DeadLetterCursor(text) else {
                throw ValidationError("expected a cursor printed by a previous page, e.g. 1793527200123456-42")
            }
            return cursor
        })
    var cursor: DeadLetterCursor?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (1...1000).contains(limit) else {
            throw ValidationError("--limit must be between 1 and 1000 (got \(limit))")
        }
    }

    func run() async throws {
        let (filter, cursor, limit) = (filter.filter, cursor, limit)
        let page = try await database.withConnection(logger: CLILogging.logger("dlq")) { connection in
            try await connection.withTransaction { try DeadLetters.list(filter, after: cursor, limit: limit, on: $0) }
        }
        print(json ? DLQOutput.json(page) : DLQOutput.table(page))
    }
}
