import Foundation
import LeadflowTestKit
import Testing

/// Every committed seed and regression input through its decoder, by the normally built `leadflow-fuzz replay`:
/// an input that once crashed a decoder crashes this test if the fix is undone, without a sanitizer build.
@Suite("Fuzz corpus replay")
struct CorpusReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("leadflow-fuzz").path

    /// The target folders under Fuzz/corpus, which scripts/fuzz.sh runs when given no target.
    static var corpusTargets: [String] {
        let corpus = root.appendingPathComponent("Fuzz/corpus").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func files(in folder: String) -> [String] {
        let path = root.appendingPathComponent(folder).path
        return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }
            .map { "\(path)/\($0)" }
    }

    @Test("every target has seeds, and every seed folder is a target")
    func targetsMatchCorpus() async throws {
        let outcome = try await CommandRun.run(Self.executable, ["list"], environment: [:])
        #expect(outcome.status == 0, "\(outcome.errors)")
        let targets = outcome.output.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }.sorted()
        #expect(targets.count >= 11)
        #expect(targets == Self.corpusTargets)
    }

    @Test("each corpus and regression input runs through its decoder without a crash", arguments: corpusTargets)
    func replay(target: String) async throws {
        let inputs = Self.files(in: "Fuzz/corpus/\(target)") + Self.files(in: "Fuzz/regressions/\(target)")
        #expect(!inputs.isEmpty)
        let outcome = try await CommandRun.run(Self.executable, ["replay", target] + inputs, environment: [:])
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.output.contains("\(target): \(inputs.count) inputs replayed"))
    }

    @Test("an unknown target is refused rather than replayed as nothing")
    func unknownTarget() async throws {
        let outcome = try await CommandRun.run(Self.executable, ["replay", "no-such-target", "/dev/null"], environment: [:])
        #expect(outcome.status == 2)
        #expect(outcome.errors.contains("unknown target"))
    }
}
