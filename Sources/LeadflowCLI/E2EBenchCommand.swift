import ArgumentParser
import Foundation
import LeadflowBenchmarks
import LeadflowClient
import LeadflowConfig
import LeadflowEngine
import LeadflowStore
import LeadflowProto
import LeadflowTelemetry
import Logging
import Postgres
import ZeroMQ

/// `leadflow bench e2e`: every service in one process against a fresh database, N leads through a pipeline.
struct E2EBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "e2e",
        abstract: "End to end: enroll N leads into a pipeline with every service running; print actions/s and lags.",
        discussion: """
            Build with -c release for meaningful figures: swift run -c release leadflow bench e2e --leads 20000. \
            Runs against a fresh database on --database-url/DATABASE_URL, or on a private cluster in --directory. \
            Handlers use the log driver at warning level, so delivery costs nothing and the engine is measured.

            \(ConfigOptions.discussion)
            """)

    @Option(help: "Leads to enroll.")
    var leads = 20_000

    @Option(help: "The pipeline's actions, comma-separated: email, sms, webhook, wait:<duration>.")
    var steps = "email,wait:0s,sms"

    @Option(help: "Leads enrolled one at a time afterwards to measure enroll → first action on the idle system.")
    var probes = 200

    @Option(help: "on: every component publishes its measurements to a SUB socket the benchmark binds and drains; off: telemetry.endpoint empty.")
    var telemetry: Switch = .off

    enum Switch: String, ExpressibleByArgument, Sendable {
        case on, off
    }

    @OptionGroup var options: ConfigOptions

    @OptionGroup(title: "Private PostgreSQL (when no database is given)")
    var postgres: PostgresCommand.Location

    func validate() throws {
        guard leads > 0 else { throw ValidationError("--leads must be positive") }
        guard probes >= 0 else { throw ValidationError("--probes cannot be negative") }
    }

    func run() async throws {
        let pipeline = try BenchmarkPipeline.fromSteps(steps)
        var settings = try BenchSettings.resolve(options)
        try await BenchSettings.withFreshDatabase(settings: settings, postgres: postgres) { url in
            guard telemetry == .on else {
                settings.telemetry.endpoint = ""
                print("telemetry: off")
                try await measure(pipeline: pipeline, settings: settings, url: url)
                return
            }
            // A collector stand-in with its own context and thread: a SUB that counts what arrives.
            let context = try ZMQContext()
            let sink = try await MeasurementSink.bind(context: context, endpoint: "tcp://127.0.0.1:*")
            let draining = Task { await sink.drain() }
            settings.telemetry.endpoint = try await sink.boundEndpoint()
            let result = await Result(catching: {
                try await measure(pipeline: pipeline, settings: settings, url: url)
            })
            if let statistics = try? result.get() {
                // The publisher has closed (drained); give the last messages the time to cross loopback.
                let deadline = ContinuousClock.now + .seconds(2)
                while sink.receivedCount < statistics.sent + statistics.dropReports, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                print(
                    "telemetry: on — \(statistics.accepted) measurements queued, \(statistics.dropped) dropped "
                        + "(queue full), \(statistics.sent) sent in \(statistics.messages) messages, \(sink.receivedCount) received "
                        + "(drop reports included: \(statistics.dropReports))")
            }
            await sink.close()
            await draining.value
            context.shutdown()
            _ = try result.get()
        }
    }

    /// Runs the benchmark; returns the telemetry publisher's statistics once it has closed (zeros when off).
    @discardableResult
    private func measure(
        pipeline: Leadflow_V1_PipelineDefinition, settings: LeadflowSettings, url: String
    ) async throws -> TelemetryPublisher.Statistics {
        var quiet = CLILogging.logger("bench")
        quiet.logLevel = .warning
        let publisher = try await LocalEngine.withRunning(settings: settings, databaseURL: url, logger: quiet) { engine in
            let client = try await LeadflowClient.connect(
                to: try await engine.ingestEndpoint(), context: engine.context, logger: quiet)
            print("e2e benchmark: \(leads) leads × [\(steps)], all services in one process, log drivers")
            let run = EndToEndRun(org: "bench", pipeline: pipeline, leads: leads, idleProbes: probes)
            let report = await Result(catching: {
                try await ProgressLine.show(run, engine: engine, client: client, eventsEndpoint: settings.scheduler.eventsEndpoint)
            })
            await client.close()
            print(try report.get().summary)
            return engine.telemetryPublisher
        }
        return publisher?.statistics ?? TelemetryPublisher.Statistics()
    }
}
