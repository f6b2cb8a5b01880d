import ArgumentParser
import LeadflowBenchmarks
import LeadflowClient
import LeadflowDomain
import LeadflowEngine

/// `leadflow bench noisy`: a small tenant's lags alone and beside a big tenant's bulk import.
struct NoisyBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noisy",
        abstract: "Noisy neighbour: a small tenant's step lag alone, then while a big tenant's import drains.",
        discussion: """
            Build with -c release: swift run -c release leadflow bench noisy. The big tenant's leads are written \
            to the store in one transaction, so its whole backlog is due at once; the small tenant's go through \
            the client and ingest. Goal: the small tenant's p99 step lag beside the import within 2x of alone.

            \(ConfigOptions.discussion)
            """)

    @Option(help: "The big tenant's leads.")
    var big = 50_000

    @Option(help: "The small tenant's leads.")
    var small = 100

    @Option(
        help: """
            Batches of the small tenant's leads per phase, one after the other; the figures pool them (a batch's \
            leads move in step, so fewer batches make the p99 one transaction's duration).
            """)
    var rounds = 20

    @Option(name: .customLong("big-in-flight"), help: "The big tenant's in-flight limit per channel.")
    var bigInFlight = 500

    @Option(name: .customLong("big-rate"), help: "The big tenant's rate limit per channel, actions/s (default: none).")
    var bigRate: Double?

    @Option(help: "The pipeline's actions, comma-separated: email, sms, webhook, wait:<duration>.")
    var steps = "email,wait:0s,sms"

    @OptionGroup var options: ConfigOptions

    @OptionGroup(title: "Private PostgreSQL (when no database is given)")
    var postgres: PostgresCommand.Location

    func validate() throws {
        guard big > 0, small > 0, rounds > 0 else { throw ValidationError("--big, --small and --rounds must be positive") }
        guard bigInFlight > 0 else { throw ValidationError("--big-in-flight must be positive") }
        if let bigRate, !(bigRate > 0) { throw ValidationError("--big-rate must be positive") }
    }

    func run() async throws {
        let pipeline = try BenchmarkPipeline.fromSteps(steps)
        let settings = try BenchSettings.resolve(options)
        var quiet = CLILogging.logger("bench")
        quiet.logLevel = .warning
        try await BenchSettings.withFreshDatabase(settings: settings, postgres: postgres) { url in
            try await LocalEngine.withRunning(settings: settings, databaseURL: url, logger: quiet) { engine in
                let client = try await LeadflowClient.connect(
                    to: try await engine.ingestEndpoint(), context: engine.context, logger: quiet)
                let rate = bigRate.map { ", ≤ \($0)/s per channel" } ?? ""
                print(
                    "noisy-neighbour benchmark: \(rounds) × \(small) leads beside \(big) (in flight ≤ \(bigInFlight)\(rate)) × [\(steps)]")
                let run = NoisyNeighbourRun(
                    pipeline: pipeline, bigLeads: big, smallLeads: small,
                    bigLimits: ChannelLimits(
                        maxInFlight: bigInFlight, ratePerSecond: bigRate ?? 10_000_000,
                        burst: bigRate.map { max(1, Int($0)) } ?? 10_000_000),
                    rounds: rounds)
                let report = await Result(catching: { try await run.run(engine: engine, client: client, context: engine.context) })
                await client.close()
                print(try report.get().summary)
            }
        }
    }
}
