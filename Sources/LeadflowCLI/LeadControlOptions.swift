import ArgumentParser
import Foundation
import LeadflowStore
import Postgres

/// Which leads `leadflow lead cancel|move|replay` act on — one lead by external id, or every lead of a pipeline
/// (and stage) — with a dry run, JSON output and the configuration (the database and `scheduler.max_attempts`).
struct LeadControlOptions: ParsableArguments {
    @Argument(help: "The lead's external id (or select leads with --pipeline and --stage).")
    var externalID: String?

    @Option(help: "The organization the leads belong to.")
    var org: String

    @Option(help: "Only the leads in this pipeline now (required without a lead's external id).")
    var pipeline: String?

    @Option(help: "Only the leads in this stage of the pipeline now.")
    var stage: String?

    @Flag(help: "Report how many leads, stages and actions it would change, without changing anything.")
    var dryRun = false

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var config: ConfigOptions

    func validate() throws {
        if stage != nil, pipeline == nil { throw ValidationError("--stage needs --pipeline") }
        if externalID == nil, pipeline == nil {
            throw ValidationError("name a lead's external id, or select leads with --pipeline (and --stage)")
        }
    }

    var selection: LeadControls.Selection {
        LeadControls.Selection(org: org, externalID: externalID, pipeline: pipeline, stage: stage)
    }

    /// Runs `control` in one transaction as the CLI's actor, then prints its report with `verb` ("canceled").
    func run(
        _ verb: String,
        _ control:
            @escaping @Sendable (LeadControls.Selection, Bool, AuditEntry.Actor, Int, isolated PostgresConnection)
            throws -> LeadControls.Report
    ) async throws {
        let settings = try config.settings()
        let (selection, dryRun, actor) = (selection, dryRun, CLIActor.audit)
        let maxAttempts = settings.scheduler.defaultMaxAttempts
        let report = try await config.database.withConnection(logger: CLILogging.logger("lead")) { connection in
            try await connection.withTransaction { try control(selection, dryRun, actor, maxAttempts, $0) }
        }
        if json {
            print(try LeadOutput.json(report))
        } else {
            let would = report.dryRun ? "would be " : ""
            print(
                "\(report.leads) lead\(report.leads == 1 ? "" : "s") \(would)\(verb): \(report.stages) stage"
                    + "\(report.stages == 1 ? "" : "s"), \(report.actions) action\(report.actions == 1 ? "" : "s")"
                    + (report.dryRun ? " (dry run: nothing changed)" : ""))
        }
    }
}
