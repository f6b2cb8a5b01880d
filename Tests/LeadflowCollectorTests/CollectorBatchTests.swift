import Foundation
import LeadflowBus
import LeadflowCollector
import LeadflowProto
import LeadflowTestKit
import Logging
import Testing
import ZeroMQ

/// The collector takes measurements one per message and in batches (a length-delimited stream per message, as
/// `TelemetryPublisher` sends them) over a real socket; a malformed batch is counted and logged with its error
/// and costs nothing else.
@Suite("Collector batches")
struct CollectorBatchTests {
    static func batch(_ measurements: [Leadflow_V1_Measurement], subject: String) throws -> Envelope {
        var stream = DelimitedStream()
        for measurement in measurements { try stream.append(measurement) }
        return try Envelope(subject: try Subject(subject), stream: stream)
    }

    @Test("batched and single measurements are recorded alike; a malformed batch is counted, logged and skipped")
    func batchesAndSingles() async throws {
        let context = try ZMQContext()
        defer { context.shutdown() }
        let logs = CapturedLogs()
        var configuration = CollectorConfiguration()
        configuration.metricsEndpoint = "inproc://metrics-\(UUID().uuidString)"
        configuration.alertsEndpoint = nil
        configuration.httpAddress = "127.0.0.1:0"
        let collector = try await CollectorService.start(
            configuration: configuration, rules: try RuleFileDecoder().decode(yaml: "rules: []", file: "test.yaml"),
            context: context, lines: LineSink { _ in }, logger: logs.logger("collector"))
        let running = Task { try await collector.run() }
        let publisher = try await BusPublisher.start(
            context: context, name: "test.metrics", endpoints: [.connect(configuration.metricsEndpoint)])

        try await eventually("the collector receives a warm-up measurement", timeout: .seconds(20)) {
            _ = publisher.publish(try Self.batch([Measurements.span("test", "warmup", milliseconds: 1)], subject: "metrics.test.warmup"))
            return collector.statistics.received > 0
        }

        // A stream cut inside its second message: its size says 200 bytes, 3 follow.
        var cut = try Self.batch([Measurements.span("ingest", "batch_commit", milliseconds: 1)], subject: "metrics.ingest.batch_commit")
        cut.payload += [0xC8, 0x01, 0x0A, 0x01, 0x61]
        #expect(publisher.publish(cut))
        // A batch one of whose measurements names another operation than its subject: refused whole.
        #expect(publisher.publish(try Self.batch(
            [Measurements.span("ingest", "batch_commit", milliseconds: 1), Measurements.span("ingest", "other", milliseconds: 1)],
            subject: "metrics.ingest.batch_commit")))
        // 100 batch commits of 1 … 100 ms in two batches (component and operation left to the subject in one),
        // and one claim on its own.
        let commits = (1...100).map { Measurements.span("ingest", "batch_commit", milliseconds: Double($0), items: 5) }
        var anonymous = Array(commits[50...])
        for index in anonymous.indices {
            anonymous[index].component = ""
            anonymous[index].operation = ""
        }
        #expect(publisher.publish(try Self.batch(Array(commits[..<50]), subject: "metrics.ingest.batch_commit")))
        #expect(publisher.publish(try Self.batch(anonymous, subject: "metrics.ingest.batch_commit")))
        #expect(publisher.publish(try Envelope(
            subject: try Subject("metrics.scheduler.claim"), message: Measurements.span("scheduler", "claim", milliseconds: 7))))

        // One connection keeps the order: once the claim, sent last, is recorded, so is everything before it.
        try await eventually("the last measurement is recorded", timeout: .seconds(20)) {
            await collector.state.snapshot().span("scheduler", "claim") != nil
        }
        let snapshot = await collector.state.snapshot()
        // Warm-ups still in flight when the first one was seen were recorded too: each is one measurement.
        let warmups = Int(try #require(snapshot.span("test", "warmup")).count)
        try await eventually("every message is counted", timeout: .seconds(20)) {
            collector.statistics.received >= warmups + 2 + 100 + 1
        }
        #expect(collector.statistics.received == warmups + 2 + 100 + 1)
        #expect(collector.statistics.malformed == 2)
        let recorded = try #require(snapshot.span("ingest", "batch_commit"))
        #expect(recorded.count == 100)
        #expect(abs(recorded.max - 0.100) <= 0.100 * 0.002)
        #expect(snapshot.span("ingest", "other") == nil)
        #expect(snapshot.span("scheduler", "claim")?.count == 1)
        let warning = try #require(logs.all.first { $0.message.hasPrefix("measurement ignored") })
        #expect(warning.metadata["problem"]?.contains("length-delimited stream is cut or corrupt: the message size at byte") == true)

        running.cancel()
        _ = await running.result
        await publisher.close()
    }
}
