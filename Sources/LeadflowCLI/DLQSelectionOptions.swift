import ArgumentParser
import LeadflowStore
import Postgres

/// The actions `leadflow dlq replay` and `discard` take: ids, or a filter; everything only with `--all`.
struct DLQSelectionOptions: ParsableArguments {
    @Argument(help: "Ids of dead actions (or select them with a filter).")
    var ids: [Int] = []

    @OptionGroup var filter: DLQFilterOptions

    @Flag(help: "Every dead action (required when neither ids nor a filter are given).")
    var all = false

    @Flag(help: "Report what would be done without changing anything.")
    var dryRun = false

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        let filtered = !filter.filter.isEmpty
        if !ids.isEmpty, filtered || all {
            throw ValidationError(
                "name action ids or select with a filter (--org, --type, --since, --error, --all), not both")
        }
        if all, filtered { throw ValidationError("--all selects every dead action: leave it out to use a filter") }
        if ids.isEmpty, !filtered, !all {
            throw ValidationError(
                "name action ids or a filter (--org, --type, --since, --error); every dead action at once needs --all")
        }
    }

    var selection: DeadLetters.Selection { ids.isEmpty ? .matching(filter.filter) : .ids(ids) }

    /// Runs `operation` in one transaction and prints its report. Fails (exit status 1) when an action named
    /// by id was skipped; skips under a filter are reported but expected (actions of stages leads have left).
    func run(
        _ verb: DLQVerb,
        _ operation:
            @escaping @Sendable (DeadLetters.Selection, Bool, isolated PostgresConnection) throws -> DeadLetters.Report
    ) async throws {
        let (selection, dryRun) = (selection, dryRun)
        let report = try await database.withConnection(logger: CLILogging.logger("dlq")) { connection in
            try await connection.withTransaction { try operation(selection, dryRun, $0) }
        }
        print(
            json
                ? DLQOutput.json(report, verb: verb, dryRun: dryRun) : DLQOutput.report(report, verb: verb, dryRun: dryRun))
        if case .ids = selection, !report.skipped.isEmpty { throw ExitCode.failure }
    }
}
