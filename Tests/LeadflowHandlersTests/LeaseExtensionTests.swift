import Curl
import Foundation
import LeadflowDomain
import LeadflowProto
import LeadflowTestKit
import SwiftProtobuf
import Testing

@testable import LeadflowHandlers

@Suite("Lease extension: IN_PROGRESS results while a delivery runs late in its lease", .timeLimit(.minutes(1)))
struct LeaseExtensionTests {
    /// A webhook dispatch leased for `lease` from now, as the scheduler sends it.
    func leased(id: Int64, url: String, lease: Duration, attempt: UInt32 = 1) -> Leadflow_V1_ActionDispatch {
        var dispatch = webhookDispatch(id: id, attempt: attempt, url: url)
        let now = Date()
        dispatch.dispatchedAt = Google_Protobuf_Timestamp(date: now)
        dispatch.deadline = Google_Protobuf_Timestamp(date: now.addingTimeInterval(lease.seconds))
        return dispatch
    }

    @Test func aSlowDeliveryReportsItselfInProgressBeforeItsResult() async throws {
        try await TestHTTPServer.withServer { server in
            // A real reply, two seconds late; the lease is 800 ms, so the handler must extend it again and again.
            server.route("/slow", .init(status: 200, delay: .seconds(2)))
            try await withCurl { curl in
                let harness = try await HandlerHarness.start(driver: webhookDriver(curl))
                let dispatch = leased(id: 1, url: server.baseURL + "/slow", lease: .milliseconds(800), attempt: 3)
                try await harness.send([dispatch])

                var progress: [Leadflow_V1_ActionResult] = []
                var final: Leadflow_V1_ActionResult?
                while final == nil {
                    let result = try #require(try await harness.nextResults(1).first)
                    if result.outcome == .inProgress { progress.append(result) } else { final = result }
                }
                #expect(final?.outcome == .succeeded)
                #expect(final?.actionID == 1)
                // At 0.4 s, then every 0.4 s while the reply is held: at least twice before it comes.
                #expect(progress.count >= 2)
                for result in progress {
                    #expect(result.actionID == 1)
                    #expect(result.attempt == 3)
                    #expect(result.handlerID == "webhook@test")
                    #expect(result.error.isEmpty)
                    // The extension asked for is the lease's own length.
                    #expect(result.retryAfter.seconds == 0)
                    #expect(abs(Int(result.retryAfter.nanos) - 800_000_000) < 5_000_000)
                }
                let seconds = { (result: Leadflow_V1_ActionResult) in
                    Double(result.duration.seconds) + Double(result.duration.nanos) / 1e9
                }
                // Each reports the time so far: growing, and never past the delivery's own.
                let durations = progress.map(seconds)
                let total = seconds(try #require(final))
                #expect(durations == durations.sorted())
                #expect(durations.allSatisfy { $0 <= total })
                #expect(harness.service.statistics.leaseExtensions == progress.count)
                try await harness.stop()
            }
        }
    }

    @Test func aQuickDeliveryReportsOnlyItsResult() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/ok", .init(status: 200))
            try await withCurl { curl in
                let harness = try await HandlerHarness.start(driver: webhookDriver(curl))
                try await harness.send((1...5).map { leased(id: $0, url: server.baseURL + "/ok", lease: .seconds(60)) })
                let results = try await harness.nextResults(5)
                #expect(results.allSatisfy { $0.outcome == .succeeded })
                try await harness.stop()
                #expect(harness.service.statistics.leaseExtensions == 0)
            }
        }
    }

    @Test(
        "the first report is due halfway to the deadline, then every half lease",
        arguments: [
            // (lease length at dispatch, time left when the handler takes it, first report after)
            (60.0, 60.0, 30.0), (60.0, 20.0, 10.0), (60.0, -5.0, 0.0),
        ])
    func schedule(length: Double, left: Double, firstAfter: Double) throws {
        let now = Date()
        let instant = ContinuousClock.now
        var dispatch = webhookDispatch(url: "http://x/")
        dispatch.deadline = Google_Protobuf_Timestamp(date: now.addingTimeInterval(left))
        dispatch.dispatchedAt = Google_Protobuf_Timestamp(date: now.addingTimeInterval(left - length))
        let lease = try #require(
            LeaseKeeper.lease(for: dispatch, attempt: 2, trace: nil, now: instant, date: now))
        #expect(abs((lease.due - instant - .seconds(firstAfter)).seconds) < 0.001)
        #expect(abs((lease.length - .seconds(length)).seconds) < 0.001)
        #expect(lease.attempt == 2)
    }

    @Test func aDispatchWithoutADeadlineHasNoLeaseToKeep() {
        #expect(
            LeaseKeeper.lease(
                for: webhookDispatch(url: "http://x/"), attempt: 1, trace: nil, now: .now, date: Date()) == nil)
    }
}
