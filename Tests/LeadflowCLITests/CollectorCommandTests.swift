import Curl
import Foundation
import LeadflowBus
import LeadflowProto
import LeadflowTestKit
import SwiftProtobuf
import Testing
import ZeroMQ

/// `leadflow collector` and `leadflow top` as an operator runs them: real processes, real sockets, real HTTP.
@Suite("leadflow collector and top")
struct CollectorCommandTests {
    @Test("--check-rules accepts the shipped defaults and names every problem of a bad file with its line")
    func checkRules() async throws {
        let defaults = try await LeadflowExecutable.run(["collector", "--check-rules"], environment: [:])
        #expect(defaults.status == 0, "\(defaults.errors)")
        #expect(defaults.output.contains("the shipped defaults:"))
        #expect(defaults.output.contains("operation_slow"))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString).yaml").path
        try "rules:\n  - name: slow\n    kind: duration\n    severity: loud\n    above: 5 minutes\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let bad = try await LeadflowExecutable.run(
            ["collector", "--check-rules", "--set", "collector.rules=\(file)"], environment: [:])
        #expect(bad.status != 0)
        #expect(bad.errors.contains("\(file):4:"), "\(bad.errors)")
        #expect(bad.errors.contains("\(file):5:"), "\(bad.errors)")
    }

    @Test("a collector process receives measurements over tcp, logs the slow one, and top shows the figures")
    func collectorAndTop() async throws {
        let metricsPort = try LoopbackPort.unused()
        let httpPort = try LoopbackPort.unused()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("collector-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let collector = try ChildProcess(
            name: "collector",
            arguments: [
                "collector", "--set", "collector.metrics_endpoint=tcp://127.0.0.1:\(metricsPort)",
                "--set", "collector.alerts_endpoint=", "--set", "collector.http=127.0.0.1:\(httpPort)",
                "--set", "collector.evaluate_interval=100ms",
            ],
            logPath: "\(folder)/collector.log")
        defer { collector.send(SIGKILL) }
        let curl = CurlWorker(name: "test.top")
        defer { curl.shutdown() }
        let base = "http://127.0.0.1:\(httpPort)"
        try await eventually("the collector answers /healthz", timeout: .seconds(30)) {
            if let termination = collector.termination { throw TimedOut(description: "collector ended: \(termination)\n\(collector.tail())") }
            return (try? await curl.perform(HTTPRequest(url: base + "/healthz")))?.status == 200
        }

        let context = try ZMQContext()
        defer { context.shutdown() }
        let publisher = try await BusPublisher.start(
            context: context, name: "test.metrics", endpoints: [.connect("tcp://127.0.0.1:\(metricsPort)")])
        @Sendable func span(_ component: String, _ operation: String, milliseconds: Int64) throws -> Envelope {
            var measurement = Leadflow_V1_Measurement()
            measurement.component = component
            measurement.operation = operation
            measurement.kind = .span
            measurement.startTime = Google_Protobuf_Timestamp(date: Date())
            measurement.duration = Google_Protobuf_Duration(seconds: milliseconds / 1000, nanos: Int32(milliseconds % 1000) * 1_000_000)
            measurement.itemCount = 3
            measurement.outcome = "ok"
            return try Envelope(subject: try Subject(tokens: ["metrics", component, operation]), message: measurement)
        }
        // Warm up until the subscription has reached the publisher: the first message the collector counts.
        try await eventually("the collector counts a measurement", timeout: .seconds(20)) {
            _ = publisher.publish(try span("test", "warmup", milliseconds: 1))
            let summary = try await curl.perform(HTTPRequest(url: base + "/api/v1/summary"))
            return String(decoding: summary.body, as: UTF8.self).contains("\"operation\":\"warmup\"")
        }
        for milliseconds in [5, 6, 7, 8, 1_500] as [Int64] {
            #expect(publisher.publish(try span("scheduler", "claim", milliseconds: milliseconds)))
        }
        try await eventually("the slow claim's line is in the collector's output", timeout: .seconds(20)) {
            collector.output.contains("\"event\":\"slow_operation\"")
        }
        let breaches = collector.output.split(separator: "\n").filter { $0.contains("\"event\":\"slow_operation\"") }
        #expect(breaches.count == 1)
        #expect(breaches.first?.contains("\"level\":\"error\"") == true)
        #expect(breaches.first?.contains("\"operation\":\"claim\"") == true)

        let top = try await LeadflowExecutable.run(["top", "--once", "--url", base], environment: [:])
        #expect(top.status == 0, "\(top.errors)")
        let claim = try #require(top.output.split(separator: "\n").first { $0.hasPrefix("scheduler.claim") })
        // COUNT 5, and a p99 of 1.5 s.
        #expect(claim.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first == "5", "\(claim)")
        #expect(claim.contains("1.50 s"), "\(claim)")
        #expect(top.output.contains("ALERTS"))

        let nobody = try LoopbackPort.unused()
        let refused = try await LeadflowExecutable.run(["top", "--once", "--url", "127.0.0.1:\(nobody)"], environment: [:])
        #expect(refused.status != 0)
        #expect(refused.errors.contains("no collector answers at http://127.0.0.1:\(nobody)"))

        await publisher.close()
        collector.send(SIGTERM)
        let ended = await collector.waitForExit(timeout: .seconds(30))
        #expect(ended == .exited(0), "\(collector.tail())")
    }
}
