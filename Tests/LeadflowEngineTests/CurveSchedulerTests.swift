import Foundation
import LeadflowCurve
import LeadflowDomain
import LeadflowScheduler
import LeadflowTestKit
import Testing
import ZeroMQ

/// The scheduler's PUSH and PULL sockets as CURVE servers over real tcp: a listed handler key gets every
/// dispatch and its results are applied; a handler with a key not on the list gets none.
@Suite("Scheduler over CURVE")
struct CurveSchedulerTests {
    @Test("only the listed handler key receives dispatches; its results complete the leads")
    func listedHandlerOnly() async throws {
        try await withTemporaryFolder { folder in
            try await EngineHarness.with { harness in
                let handlerKeys = try CurveKeyPair.generate()
                try CurveKeyFile.write(handlerKeys, to: folder + "/email-handler.key", name: "email-handler")
                let security = BusSecurity(keyPair: try CurveKeyPair.generate(), allowListPath: folder + "/email-handler.key.pub")
                let authenticator = try #require(
                    try await BusAuthenticator.start(context: harness.context, security: security, logger: EngineHarness.logger))
                let client = try await harness.requester()
                try await harness.definePipeline(SchedulerServiceTests.oneEmail, via: client)
                await client.close()
                let scheduler = try await harness.startScheduler(socketOptions: security.bindOptions)
                let (email, results) = try await SchedulerServiceTests().endpoints(of: scheduler, .email)

                func options(_ keys: CurveKeyPair) -> SocketOptions {
                    var options = SocketOptions()
                    options.curve = .client(
                        publicKey: keys.publicKey, secretKey: keys.secretKey, serverPublicKey: security.keyPair!.publicKey)
                    return options
                }
                let stranger = try await RecordingHandler(
                    context: harness.context, dispatchEndpoints: [email], resultEndpoints: [results],
                    options: options(try CurveKeyPair.generate()))
                try await eventually("the stranger's handshakes were refused", timeout: .seconds(10)) {
                    authenticator.statistics.refused >= 2
                }
                let handler = try await RecordingHandler(
                    context: harness.context, dispatchEndpoints: [email], resultEndpoints: [results],
                    options: options(handlerKeys))
                try await SchedulerServiceTests().enroll(20, pipeline: "one", harness: harness)
                try await harness.waitUntil("every lead completed") { connection in
                    try await connection.query(
                        "SELECT count(*) FROM lead_stages WHERE exit_reason = 'completed'").scalar(Int.self) == 20
                }
                #expect(handler.dispatches.count == 20)
                #expect(stranger.dispatches.isEmpty, "PUSH never reached the refused handler")
                #expect(authenticator.statistics.accepted == 2, "the listed handler's PULL and PUSH connections")
                await stranger.close()
                await handler.close()
                await authenticator.close()
            }
        }
    }
}
