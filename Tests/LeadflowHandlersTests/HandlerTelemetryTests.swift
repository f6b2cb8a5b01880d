import Foundation
import LeadflowBus
import LeadflowProto
import LeadflowTelemetry
import LeadflowTestKit
import SwiftProtobuf
import Testing
import ZeroMQ

@testable import LeadflowHandlers

/// A webhook handler with telemetry on, delivering to a real HTTP server that fails, measured by a real SUB.
@Suite("Handler telemetry", .timeLimit(.minutes(1)))
struct HandlerTelemetryTests {
    @Test("deliveries, step lags, the breaker's transition and level arrive with provider, org, outcome, error class and trace id")
    func deliveriesAndBreaker() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hook", .init(status: 500))
            try await withCurl { curl in
                let context = try ZMQContext()
                let sink = try await MeasurementSink.bind(context: context, endpoint: TestTransport.inproc.bindAddress())
                var publisherConfiguration = TelemetryPublisher.Configuration(endpoint: try await sink.boundEndpoint())
                publisherConfiguration.flushInterval = .milliseconds(5)
                let publisher = try await TelemetryPublisher.start(context: context, configuration: publisherConfiguration)
                let telemetry = Telemetry(component: TelemetryComponent.handler("webhook"), publisher: publisher)
                // Wait for the publisher's connection with probes before the deliveries (slow joiner).
                let probing = Task {
                    while !Task.isCancelled {
                        telemetry.record(MeasurementRecord(kind: .gauge, component: "", operation: "probe", startNanoseconds: 1))
                        try? await Task.sleep(for: .milliseconds(10))
                    }
                }
                _ = await sink.next()
                probing.cancel()

                var policy = HandlerBreakerTests.policy(open: .seconds(60))
                policy.consecutiveFailures = 3
                let harness = try await HandlerHarness.start(driver: webhookDriver(curl), telemetry: telemetry) {
                    $0.breaker = policy
                }
                let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                let due = Date().addingTimeInterval(-2)
                for id: Int64 in 1...4 {
                    var dispatch = webhookDispatch(id: id, url: server.baseURL + "/hook")
                    dispatch.dueAt = Google_Protobuf_Timestamp(date: due)
                    try await harness.dispatches.push(
                        Envelope(
                            subject: Subject("action.webhook"), message: dispatch,
                            headers: Headers([Headers.Name.attempt: "1", Headers.Name.traceparent: traceparent])))
                    _ = try await harness.nextResults(1)
                }
                try await harness.stop()

                let provider = "http://127.0.0.1:\(server.port)"
                var deliveries: [Leadflow_V1_Measurement] = []
                var lags: [Leadflow_V1_Measurement] = []
                var transitions: [Leadflow_V1_Measurement] = []
                var levels: [Leadflow_V1_Measurement] = []
                while deliveries.count < 4 || lags.count < 4 || transitions.isEmpty || levels.isEmpty,
                    let (subject, measurement) = await sink.next()
                {
                    #expect(subject == "metrics.webhook_handler.\(measurement.operation)")
                    switch measurement.operation {
                    case "delivery": deliveries.append(measurement)
                    case "step_lag": lags.append(measurement)
                    case "breaker_transition": transitions.append(measurement)
                    case "breaker_open": levels.append(measurement)
                    default: break
                    }
                }
                #expect(deliveries.map(\.outcome) == ["retry", "retry", "retry", "snoozed"])
                #expect(deliveries.allSatisfy {
                    $0.kind == .span && $0.org == "acme" && $0.actionType == "webhook"
                        && $0.traceID == "4bf92f3577b34da6a3ce929d0e0e4736" && $0.attributes["provider"] == provider
                })
                #expect(deliveries.prefix(3).allSatisfy { $0.attributes["error_class"] == "http_5xx" })
                #expect(lags.allSatisfy { $0.kind == .span && $0.org == "acme" && $0.duration.seconds >= 2 })
                #expect(transitions.first.map { $0.kind == .counter && $0.value == 1 } == true)
                #expect(transitions.first?.attributes == ["to": "open", "provider": provider])
                #expect(levels.first.map { $0.kind == .gauge && $0.value == 1 && $0.attributes["provider"] == provider } == true)

                await publisher.close()
                await sink.close()
                context.shutdown()
            }
        }
    }
}
