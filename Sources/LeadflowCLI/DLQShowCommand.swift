import ArgumentParser
import LeadflowStore

/// `leadflow dlq show ID`: one action in full, whatever its status.
struct DLQShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one action: lead, pipeline and stage, attempts, last error, idempotency key, times, config.")

    @Argument(help: "The action's id (the ID column of dlq list).")
    var id: Int

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let id = id
        let detail = try await database.withConnection(logger: CLILogging.logger("dlq")) { connection in
            try await connection.withTransaction { try DeadLetters.show(id, on: $0) }
        }
        guard let detail else { throw CLIError("no action \(id)") }
        print(json ? DLQOutput.json(detail) : DLQOutput.detail(detail))
    }
}
