import Foundation
import ArgumentParser
import LeadflowBenchmarks

/// `leadflow bench …`: benchmarks that print their figures.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Run a benchmark and print its figures.", subcommands: [BusBenchCommand.self, E2EBenchCommand.self, DeliveryBenchCommand.self, NoisyBenchCommand.self, ClientBenchCommand.self, TelemetryBenchCommand.self, LookupBenchCommand.self])
}

/// `leadflow bench telemetry`: what recording a measurement costs the recording thread.
struct TelemetryBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetry",
        abstract: "ns per measurement on the caller (publish against encoding there) and in the whole process, end to end.",
        discussion: "Build with -c release: swift run -c release leadflow bench telemetry")

    @Option(help: "Measurements per run.")
    var count = 200_000

    @Option(help: "Runs; the median is reported.")
    var runs = 5

    func run() async throws {
        let figures = try await TelemetryCostBenchmark.run(count: count, runs: runs)
        print(String(
            format: "publish (record queued, encoded on the publisher thread): %.0f ns/measurement", figures.publishNanoseconds))
        print(String(format: "encoding the envelope on the caller would add:            %.0f ns/measurement", figures.encodeNanoseconds))
        print(String(
            format: "process CPU, record to counted at a SUB over tcp loopback: %.0f ns/measurement (%.3f ZeroMQ messages each)",
            figures.endToEndCPUNanoseconds, figures.messagesPerMeasurement))
        print("dropped: \(figures.dropped)")
    }
}

/// `leadflow bench bus`: raw libzmq against the envelope path, over tcp loopback.
struct BusBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus",
        abstract: "Messages/s over tcp loopback: raw libzmq against the full envelope path.",
        discussion: "Build with -c release for meaningful figures: swift run -c release leadflow bench bus")

    @Option(help: "Messages per run.")
    var messages = 500_000

    @Option(help: "Comma-separated payload sizes in bytes.")
    var sizes = "100,1024"

    @Option(help: "Runs per scenario; the median is reported.")
    var runs = 5

    @Option(help: "Comma-separated scenarios to run (default: all): \(BusBenchmark.scenarios.joined(separator: ", ")).")
    var only: String?

    var onlyScenarios: Set<String> {
        Set((only ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    func validate() throws {
        guard messages > 0 else { throw ValidationError("--messages must be positive") }
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        let unknown = onlyScenarios.subtracting(BusBenchmark.scenarios)
        guard unknown.isEmpty else {
            throw ValidationError("unknown scenario(s) \(unknown.sorted()); known: \(BusBenchmark.scenarios.joined(separator: ", "))")
        }
        guard parsedSizes != nil else { throw ValidationError("--sizes must be positive integers separated by commas, e.g. 100,1024") }
    }

    var parsedSizes: [Int]? { positiveIntegers(sizes) }

    func run() async throws {
        let benchmark = BusBenchmark(
            messages: messages, payloadSizes: parsedSizes ?? [], runs: runs, only: onlyScenarios)
        print("bus benchmark: PUSH → PULL over tcp://127.0.0.1, \(messages) messages per run, median of \(runs)")
        print("(vs raw: median over the rounds of the same round's ratio; CPU: the process's CPU time per message)")
        print("payload  scenario          messages/s   vs raw 3 frames   vs raw 1 frame   CPU µs/msg")
        var raw: [String: BusBenchmark.Result] = [:]
        try await benchmark.run { result in
            if result.scenario.hasPrefix("raw") { raw[result.scenario] = result }
            func ratio(_ key: String) -> String {
                guard let base = raw[key], result.scenario.hasPrefix("envelope") else { return "" }
                return String(format: "%.0f%%", 100 * result.pairedRatio(to: base))
            }
            print(
                pad(String(result.payloadBytes) + " B", 9) + pad(result.scenario, 18)
                    + pad(String(format: "%10.0f", result.messagesPerSecond), 13) + pad(ratio("raw 3 frames"), 18)
                    + pad(ratio("raw 1 frame"), 17) + String(format: "%.2f", result.cpuPerMessage.seconds * 1e6))
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}

/// `leadflow bench client`: `LeadflowClient` batch publish throughput against an ingest stand-in that acks
/// everything.
struct ClientBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Messages/s a LeadflowClient batch gets acked at over tcp loopback, per window size.",
        discussion: "Build with -c release for meaningful figures: swift run -c release leadflow bench client")

    @Option(help: "Enrollments per batch (the import demo has 16,000).")
    var messages = 16_000

    @Option(help: "Comma-separated window sizes (maxOutstanding) to compare.")
    var windows = "1,64,1024"

    @Option(help: "Runs per window size; the median is reported.")
    var runs = 5

    @Option(help: "A running ingest's ROUTER endpoint (e.g. tcp://127.0.0.1:4222) instead of the in-process stand-in.")
    var endpoint: String?

    var parsedWindows: [Int]? { positiveIntegers(windows) }

    func validate() throws {
        guard messages > 0 else { throw ValidationError("--messages must be positive") }
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        guard parsedWindows != nil else { throw ValidationError("--windows must be positive integers separated by commas, e.g. 1,64,1024") }
    }

    func run() async throws {
        let benchmark = ClientBenchmark(messages: messages, windows: parsedWindows ?? [], runs: runs, endpoint: endpoint)
        let target = endpoint.map { "ingest at \($0)" } ?? "a stand-in on tcp://127.0.0.1 that acks at once"
        print("client benchmark: enroll(org:leads:) of \(messages) leads to \(target), median of \(runs)")
        print("window   messages/s   p50 latency   p99 latency")
        try await benchmark.run { result in
            print(
                String(result.maxOutstanding).padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(format: "%10.0f", result.messagesPerSecond)
                    + String(format: "%11.2f ms", result.p50.milliseconds) + String(format: "%11.2f ms", result.p99.milliseconds))
        }
    }
}

/// The integers of a comma-separated option such as `100,1024`; `nil` unless there is one and all are positive.
func positiveIntegers(_ list: String) -> [Int]? {
    let values = list.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
    return values.compactMap { $0 }
}

extension Duration {
    fileprivate var milliseconds: Double { Double(components.seconds) * 1e3 + Double(components.attoseconds) * 1e-15 }
}
