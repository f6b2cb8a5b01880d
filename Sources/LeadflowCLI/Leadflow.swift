import ArgumentParser

/// The `leadflow` command: one subcommand per service and tool.
@main
struct Leadflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leadflow",
        abstract: "Lead-pipeline automation over ZeroMQ and PostgreSQL.",
        subcommands: [
            DevCommand.self, IngestCommand.self, SchedulerCommand.self, HandlerCommand.self, MigrateCommand.self,
            PostgresCommand.self, PipelineCommand.self, OrgCommand.self, LeadCommand.self, DLQCommand.self,
            AdminCommand.self, CollectorCommand.self, TopCommand.self, KeysCommand.self, BenchCommand.self,
        ])
}
