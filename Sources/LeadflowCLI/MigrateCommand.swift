import ArgumentParser
import LeadflowStore

/// `leadflow migrate`: brings the database schema to the current version.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (idempotent; each in its own transaction).")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let report = try await Migrator(logger: CLILogging.logger("migrate")).migrate(url: try database.required())
        print(report)
    }
}
