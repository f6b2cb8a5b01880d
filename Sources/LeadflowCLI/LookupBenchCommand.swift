import ArgumentParser
import Foundation
import LeadflowBenchmarks

/// `leadflow bench lookup`: a support person's lookups on a big database.
struct LookupBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Time `lead show` (find + why), `lead timeline` and `lead search` for random leads of a big database.",
        discussion: """
            Builds --leads leads (each in a stage with three actions, one of them due in a queue of every lead's) \
            and --history-per-lead history rows each, the leads created over eight weeks, in a fresh database on --database-url/DATABASE_URL or a private \
            cluster in --directory; then times --lookups lookups of each kind on one connection and prints \
            p50/p99/max in milliseconds. Build with -c release.
            """)

    @Option(help: "Leads in the database.")
    var leads = 1_000_000

    @Option(help: "History rows per lead.")
    var historyPerLead = 3

    @Option(help: "Lookups timed of each kind.")
    var lookups = 2_000

    @OptionGroup var options: ConfigOptions

    @OptionGroup(title: "Private PostgreSQL (when no database is given)")
    var postgres: PostgresCommand.Location

    func validate() throws {
        guard leads > 0, historyPerLead > 0, lookups > 0 else {
            throw ValidationError("--leads, --history-per-lead and --lookups must be positive")
        }
    }

    func run() async throws {
        let settings = try BenchSettings.resolve(options)
        let (leads, historyPerLead, lookups) = (leads, historyPerLead, lookups)
        try await BenchSettings.withFreshDatabase(settings: settings, postgres: postgres) { url in
            let report = try await LookupBenchmark.run(
                url: url, leads: leads, historyPerLead: historyPerLead, lookups: lookups,
                progress: { print($0) })
            func figures(_ values: [Double]) -> String {
                String(
                    format: "p50 %.2f ms, p99 %.2f ms, max %.2f ms", LookupBenchmark.percentile(values, 0.5),
                    LookupBenchmark.percentile(values, 0.99), values.last ?? 0)
            }
            print("database: \(report.leads) leads, \(report.historyRows) history rows (seeded in \(Int(report.seedSeconds)) s)")
            print("lead show (find + why):      \(figures(report.show))")
            print("lead timeline (find + rows): \(figures(report.timeline))")
            print("lead search --email:         \(figures(report.searchByEmail))")
            print("lead search --phone:         \(figures(report.searchByPhone))")
        }
    }
}
