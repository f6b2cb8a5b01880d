import ArgumentParser
import Foundation
import LeadflowCollector
import LeadflowConfig
import Logging
import ZeroMQ

/// `leadflow collector`: percentiles, alerts and Prometheus metrics from every service's measurements.
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector",
        abstract: "Run the metrics collector (SUB metrics.>, alert rules, Alertmanager, /metrics).",
        discussion: "The rule file format and the shipped defaults: docs/observability.md.\n\n" + ConfigOptions.discussion)

    @Flag(help: "Check the rule file (collector.rules, or the shipped defaults) and exit.")
    var checkRules = false

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let settings = try options.settings()
        let rules = try Self.rules(settings.collector.rulesFile)
        if checkRules {
            let file = settings.collector.rulesFile ?? "the shipped defaults"
            let levels = rules.slowOperations.defaults
            let warning = levels.warning.map { "warning above \($0 * 1000) ms" } ?? "no warning level"
            let error = levels.error.map { "error above \($0 * 1000) ms" } ?? "no error level"
            print("\(file): \(rules.rules.count) rules (\(rules.rules.map(\.name).joined(separator: ", "))); slow operations: \(warning), \(error)")
            return
        }
        let logger = CLILogging.logger("collector")
        let lines = try settings.collector.logFile.map { path in
            do { return try LineSink.file(path) } catch {
                throw CLIError("collector.log_file \(path): cannot append to it (\(error.localizedDescription))")
            }
        } ?? LineSink.standardOutput()
        try settings.checkBinds(settings.collectorBinds)
        let context = try ZMQContext()
        let result = await Result(catching: {
            try await ServiceProcess.withAuthenticator(settings: settings, context: context, logger: logger) { _ in
                let collector = try await CollectorService.start(
                    configuration: settings.collector, rules: rules, context: context, lines: lines, logger: logger,
                    socketOptions: settings.bus.bindOptions)
                logger.info(
                    "collector started",
                    metadata: [
                        "metrics": "\(settings.collector.metricsEndpoint)", "http": "\(settings.collector.httpAddress)",
                        "rules": "\(rules.rules.count)",
                    ])
                try await ServiceProcess.runGroup([collector], shutdownTimeout: settings.shutdownTimeout, logger: logger)
            }
        })
        context.shutdown()
        try result.get()
    }

    /// The rules of `path`, or the shipped defaults; every problem of the file in the error.
    static func rules(_ path: String?) throws -> RuleSet {
        do {
            guard let path else { return try DefaultRules.ruleSet() }
            return try RuleFile.load(path: path)
        } catch {
            throw CLIError("\(error)")
        }
    }
}
