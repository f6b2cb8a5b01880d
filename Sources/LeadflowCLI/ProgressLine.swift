import Foundation
import LeadflowBenchmarks
import LeadflowClient
import LeadflowEngine
import Synchronization

/// A one-line progress bar on stderr, redrawn in place on a terminal and printed every five seconds otherwise
/// (a log file gets a few lines, not one per redraw).
final class ProgressLine: Sendable {
    let interactive = isatty(STDERR_FILENO) == 1
    private let lastPrinted = Atomic<Int64>(-1)

    func render(done: Int, expected: Int, rate: Double, elapsed: Duration) -> String {
        let fraction = expected > 0 ? min(1, Double(done) / Double(expected)) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        return String(format: "%@ %3.0f%%  %d/%d actions  %6.0f actions/s  %llds", bar, fraction * 100, done, expected, rate, elapsed.components.seconds)
    }

    func show(done: Int, expected: Int, rate: Double, elapsed: Duration) {
        let line = render(done: done, expected: expected, rate: rate, elapsed: elapsed)
        if interactive {
            FileHandle.standardError.write(Data("\r\(line)".utf8))
        } else {
            let period = elapsed.components.seconds / 5
            guard lastPrinted.exchange(period, ordering: .relaxed) != period else { return }
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }

    func finish() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

extension ProgressLine {
    /// Runs `run` against the engine with this line showing its progress, and returns the figures.
    static func show(
        _ run: EndToEndRun, engine: LocalEngine, client: LeadflowClient, eventsEndpoint: String?
    ) async throws -> EndToEndReport {
        let progress = ProgressLine()
        defer { progress.finish() }
        return try await run.run(
            engine: engine, client: client, eventsEndpoint: eventsEndpoint, context: engine.context
        ) { step in
            progress.show(done: step.done, expected: step.expected, rate: step.actionsPerSecond, elapsed: step.elapsed)
        }
    }
}
