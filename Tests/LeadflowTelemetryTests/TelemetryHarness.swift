import Foundation
import LeadflowProto
import LeadflowTelemetry
import LeadflowTestKit
import Testing
import ZeroMQ

/// A bound sink and a publisher connected to it, with the connection proven by a probe measurement that went
/// through — every piece real: the publisher's thread and PUB socket, a SUB socket, the transport.
struct TelemetryHarness: Sendable {
    let context: ZMQContext
    let sink: MeasurementSink
    let publisher: TelemetryPublisher

    static func with<T: Sendable>(
        transport: TestTransport = .inproc, adjust: (inout TelemetryPublisher.Configuration) -> Void = { _ in },
        _ body: (TelemetryHarness) async throws -> T
    ) async throws -> T {
        let context = try ZMQContext()
        let sink = try await MeasurementSink.bind(context: context, endpoint: transport.bindAddress())
        var configuration = TelemetryPublisher.Configuration(endpoint: try await sink.boundEndpoint())
        configuration.flushInterval = .milliseconds(5)
        adjust(&configuration)
        let publisher = try await TelemetryPublisher.start(context: context, configuration: configuration)
        let harness = TelemetryHarness(context: context, sink: sink, publisher: publisher)
        do {
            try await harness.waitUntilConnected()
            let value = try await body(harness)
            await harness.stop()
            return value
        } catch {
            await harness.stop()
            throw error
        }
    }

    func telemetry(_ component: String) -> Telemetry { Telemetry(component: component, publisher: publisher) }

    /// PUB/SUB drops what is sent before the subscription reaches the publisher (the slow joiner): probes go
    /// out until one arrives.
    private func waitUntilConnected() async throws {
        let publisher = publisher
        let probing = Task {
            while !Task.isCancelled {
                publisher.publish(MeasurementRecord(kind: .gauge, component: "test", operation: "probe", startNanoseconds: 1))
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        defer { probing.cancel() }
        let arrived = try await within(.seconds(10)) { await sink.next() != nil }
        try #require(arrived == true, "no probe measurement arrived")
    }

    /// The next `count` measurements that are not probes, or fewer when `timeout` passes.
    func receive(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [(subject: String, measurement: Leadflow_V1_Measurement)] {
        let sink = sink
        return try await within(timeout) {
            var received: [(subject: String, measurement: Leadflow_V1_Measurement)] = []
            while received.count < count, let next = await sink.next() {
                if next.measurement.operation != "probe" { received.append(next) }
            }
            return received
        } ?? []
    }

    func stop() async {
        await publisher.close()
        await sink.close()
        context.shutdown()
    }
}
