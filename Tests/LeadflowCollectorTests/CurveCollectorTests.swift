import Foundation
import LeadflowCollector
import LeadflowCurve
import LeadflowTelemetry
import LeadflowTestKit
import Logging
import Testing
import ZeroMQ

/// Telemetry PUB → collector SUB over CURVE on real tcp: a listed key's measurements arrive, an unlisted
/// publisher's never do.
@Suite("Collector over CURVE")
struct CurveCollectorTests {
    @Test("the collector takes measurements from a listed key only")
    func listedPublisherOnly() async throws {
        try await withTemporaryFolder { folder in
            let context = try ZMQContext()
            defer { context.shutdown() }
            let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
            let service = try CurveKeyPair.generate()
            try CurveKeyFile.write(service, to: folder + "/ingest.key", name: "ingest")
            let security = BusSecurity(keyPair: try CurveKeyPair.generate(), allowListPath: folder + "/ingest.key.pub")
            let authenticator = try #require(try await BusAuthenticator.start(context: context, security: security, logger: logger))
            var configuration = CollectorConfiguration()
            configuration.metricsEndpoint = "tcp://127.0.0.1:*"
            configuration.alertsEndpoint = nil
            configuration.httpAddress = "127.0.0.1:0"
            let collector = try await CollectorService.start(
                configuration: configuration, rules: try RuleFileDecoder().decode(yaml: "rules: []", file: "test.yaml"),
                context: context, lines: LineSink { _ in }, logger: logger, socketOptions: security.bindOptions)
            let running = Task { try await collector.run() }
            let endpoint = try await collector.metricsEndpoint()

            func publisher(_ keys: CurveKeyPair) async throws -> TelemetryPublisher {
                var publisher = TelemetryPublisher.Configuration(endpoint: endpoint)
                publisher.flushInterval = .milliseconds(5)
                publisher.curve = .client(
                    publicKey: keys.publicKey, secretKey: keys.secretKey, serverPublicKey: security.keyPair!.publicKey)
                return try await TelemetryPublisher.start(context: context, configuration: publisher)
            }
            let probe = MeasurementRecord(kind: .gauge, component: "ingest", operation: "probe", startNanoseconds: 1)

            let stranger = try await publisher(try CurveKeyPair.generate())
            try await eventually("the stranger was refused", timeout: .seconds(10)) {
                stranger.publish(probe)
                return authenticator.statistics.refused >= 1
            }
            let listed = try await publisher(service)
            try await eventually("the listed publisher's measurements arrive", timeout: .seconds(20)) {
                stranger.publish(probe)
                listed.publish(probe)
                return collector.statistics.received > 0
            }
            #expect(stranger.statistics.sent > 0, "the stranger did send; the collector never let it in")
            #expect(authenticator.statistics.accepted == 1)
            await stranger.close()
            await listed.close()
            running.cancel()
            _ = await running.result
            await authenticator.close()
        }
    }
}
