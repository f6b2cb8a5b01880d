import Foundation
import LeadflowProto
import LeadflowTelemetry
import LeadflowTestKit
import Testing
import ZeroMQ

@Suite("Telemetry publisher")
struct TelemetryPublisherTests {
    @Test("measurements reach a real SUB on metrics.<component>.<operation>", arguments: [TestTransport.tcp, .inproc])
    func delivers(transport: TestTransport) async throws {
        try await TelemetryHarness.with(transport: transport) { harness in
            for index in 1...50 {
                var record = MeasurementRecord(
                    kind: .span, component: "scheduler", operation: "claim", startNanoseconds: 1_700_000_000_123_456_789)
                record.durationNanoseconds = UInt64(index) * 1_000_000
                record.itemCount = UInt64(index)
                #expect(harness.publisher.publish(record))
            }
            let received = try await harness.receive(50)
            #expect(received.count == 50)
            #expect(received.allSatisfy { $0.subject == "metrics.scheduler.claim" })
            #expect(received.map(\.measurement.itemCount) == (1...50).map(UInt64.init))
            let first = try #require(received.first?.measurement)
            #expect(first.kind == .span)
            #expect(first.component == "scheduler" && first.operation == "claim")
            #expect(first.startTime.seconds == 1_700_000_000 && first.startTime.nanos == 123_456_789)
            #expect(first.duration.seconds == 0 && first.duration.nanos == 1_000_000)
            #expect(harness.publisher.statistics.dropped == 0)
        }
    }

    @Test("a flush sends each subject's measurements as one batch (split past 64 KiB): few messages, none lost or reordered")
    func batches() async throws {
        try await TelemetryHarness.with(adjust: { $0.flushInterval = .milliseconds(50) }) { harness in
            // The harness's connection probes went out before this, each in a message of its own.
            let before = harness.publisher.statistics
            let org = String(repeating: "o", count: 150)
            for index in 0..<2_000 {
                var record = MeasurementRecord(
                    kind: .span, component: "scheduler", operation: index.isMultiple(of: 2) ? "claim" : "dispatch",
                    startNanoseconds: 1_700_000_000_000_000_000)
                record.itemCount = UInt64(index)
                record.org = org
                #expect(harness.publisher.publish(record))
            }
            let received = try await harness.receive(2_000)
            #expect(received.count == 2_000)
            let claims = received.filter { $0.subject == "metrics.scheduler.claim" }
            #expect(claims.map(\.measurement.itemCount) == stride(from: 0, to: 2_000, by: 2).map(UInt64.init))
            #expect(claims.allSatisfy { $0.measurement.operation == "claim" && $0.measurement.org == org })
            let dispatches = received.filter { $0.subject == "metrics.scheduler.dispatch" }
            #expect(dispatches.map(\.measurement.itemCount) == stride(from: 1, to: 2_000, by: 2).map(UInt64.init))
            await harness.publisher.close()
            let statistics = harness.publisher.statistics
            let (sent, messages) = (statistics.sent - before.sent, statistics.messages - before.messages)
            // A late probe or two may be among them.
            #expect(sent >= 2_000)
            #expect(messages * 10 < sent, "\(statistics)")
            // 1,000 measurements of ~170 bytes per subject do not fit one 64 KiB batch.
            #expect(messages >= 4)
        }
    }

    @Test("a full queue drops and counts instead of blocking, with no subscriber at all")
    func fullQueueDrops() async throws {
        let context = try ZMQContext()
        var configuration = TelemetryPublisher.Configuration(endpoint: "tcp://127.0.0.1:\(try LoopbackPort.unused())")
        configuration.queueCapacity = 1_000
        // The thread sleeps through the test, so exactly the capacity is taken and the rest is dropped.
        configuration.flushInterval = .seconds(3600)
        configuration.wakeThreshold = Int.max
        let publisher = try await TelemetryPublisher.start(context: context, configuration: configuration)
        let clock = ContinuousClock()
        let started = clock.now
        var accepted = 0
        for index in 0..<100_000 {
            let record = MeasurementRecord(
                kind: .counter, component: "ingest", operation: "messages", startNanoseconds: UInt64(index))
            if publisher.publish(record) { accepted += 1 }
        }
        let took = clock.now - started
        #expect(accepted == 1_000)
        #expect(publisher.statistics.accepted == 1_000)
        #expect(publisher.statistics.dropped == 99_000)
        // Non-blocking: 100,000 calls with nobody reading complete in far less than one flush interval.
        #expect(took < .seconds(30))
        await publisher.close(drainTimeout: .seconds(1))
        #expect(publisher.statistics.sent + publisher.statistics.abandonedOnClose == 1_000)
        #expect(!publisher.publish(MeasurementRecord(kind: .gauge, component: "ingest", operation: "x", startNanoseconds: 0)))
        context.shutdown()
    }

    @Test("drops are published as <component>.telemetry_dropped counters that add up to the drops counted")
    func dropsPublished() async throws {
        try await TelemetryHarness.with(adjust: { $0.queueCapacity = 64 }) { harness in
            var refused = 0
            for index in 0..<20_000 {
                let component = index.isMultiple(of: 2) ? "ingest" : "scheduler"
                let record = MeasurementRecord(kind: .counter, component: component, operation: "messages", startNanoseconds: 1)
                if !harness.publisher.publish(record) { refused += 1 }
            }
            let dropped = harness.publisher.statistics.dropped
            #expect(dropped == refused)
            try #require(dropped > 0, "20,000 measurements in a tight loop never filled a queue of 64")
            await harness.publisher.close(drainTimeout: .seconds(2))
            var reported: [String: Double] = [:]
            let sink = harness.sink
            _ = try await within(.seconds(10)) {
                var reported: [String: Double] = [:]
                while reported.values.reduce(0, +) < Double(dropped), let next = await sink.next() {
                    if next.measurement.operation == "telemetry_dropped" {
                        #expect(next.measurement.kind == .counter)
                        #expect(next.subject == "metrics.\(next.measurement.component).telemetry_dropped")
                        reported[next.measurement.component, default: 0] += next.measurement.value
                    }
                }
                return reported
            }.map { reported = $0 }
            #expect(reported.values.reduce(0, +) == Double(dropped))
            #expect(Set(reported.keys).isSubset(of: ["ingest", "scheduler"]))
        }
    }

    @Test("a component or operation that is not a subject token is dropped and counted, not sent")
    func invalidSubject() async throws {
        try await TelemetryHarness.with { harness in
            harness.publisher.publish(MeasurementRecord(kind: .gauge, component: "bad.component", operation: "x", startNanoseconds: 1))
            harness.publisher.publish(MeasurementRecord(kind: .gauge, component: "ingest", operation: "after", startNanoseconds: 1))
            let received = try await harness.receive(1)
            #expect(received.map(\.subject) == ["metrics.ingest.after"])
            await harness.publisher.close()
            #expect(harness.publisher.statistics.invalid == 1)
        }
    }
}
