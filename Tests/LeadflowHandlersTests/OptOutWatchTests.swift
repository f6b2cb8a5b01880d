import Foundation
import LeadflowBus
import LeadflowDomain
import LeadflowProto
import LeadflowTestKit
import Testing
import ZeroMQ

@testable import LeadflowHandlers

@Suite("Handlers hear opt-outs and hand back what was claimed before them", .timeLimit(.minutes(1)))
struct OptOutWatchTests {
    static func event(_ kind: Leadflow_V1_LeadEvent.Kind, lead: Int64, _ channel: Leadflow_V1_Channel) -> Leadflow_V1_LeadEvent {
        .with {
            $0.kind = kind
            $0.org = "acme"
            $0.leadID = lead
            $0.channel = channel
        }
    }

    @Test("an SMS STOP holds back SMS only; an all-channel opt-out everything, until an all-channel resubscribe")
    func channels() {
        let watch = SuppressionWatch(retention: .seconds(60))
        watch.hear(Self.event(.unsubscribed, lead: 1, .sms))
        #expect(watch.holds(lead: 1, type: .sms))
        #expect(!watch.holds(lead: 1, type: .email) && !watch.holds(lead: 1, type: .webhook))
        #expect(!watch.holds(lead: 2, type: .sms))
        watch.hear(Self.event(.resubscribed, lead: 1, .sms))
        #expect(!watch.holds(lead: 1, type: .sms))

        watch.hear(Self.event(.unsubscribed, lead: 3, .unspecified))
        #expect(watch.holds(lead: 3, type: .email) && watch.holds(lead: 3, type: .sms) && watch.holds(lead: 3, type: .webhook))
        watch.hear(Self.event(.resubscribed, lead: 3, .email))
        #expect(watch.holds(lead: 3, type: .email), "a one-channel resubscribe does not lift an all-channel opt-out")
        watch.hear(Self.event(.resubscribed, lead: 3, .unspecified))
        #expect(!watch.holds(lead: 3, type: .email))
        watch.hear(Self.event(.replied, lead: 4, .sms))
        #expect(!watch.holds(lead: 4, type: .sms))
    }

    @Test("an opt-out is remembered for the lease only: a dispatch older than that is the scheduler's again")
    func retention() {
        let watch = SuppressionWatch(retention: .seconds(60))
        let heard = ContinuousClock.now
        watch.hear(Self.event(.unsubscribed, lead: 1, .email), now: heard)
        #expect(watch.holds(lead: 1, type: .email, now: heard + .seconds(59)))
        #expect(!watch.holds(lead: 1, type: .email, now: heard + .seconds(61)))
    }

    @Test("a running handler hands back, unsent, a dispatch for a lead that opted out after the claim")
    func handBack() async throws {
        let context = try ZMQContext()
        defer { context.shutdown() }
        let events = "tcp://127.0.0.1:\(try LoopbackPort.unused())"
        let publisher = try await BusPublisher.start(context: context, name: "ingest-events", endpoints: [.bind(events)])
        defer { Task { await publisher.close() } }
        @Sendable func publish(_ event: Leadflow_V1_LeadEvent) throws {
            let subject = event.kind == .unsubscribed ? "lead.unsubscribed.acme" : "lead.resubscribed.acme"
            _ = publisher.publish(try Envelope(subject: Subject(subject), message: event))
        }
        try await TestHTTPServer.withServer { server in
            server.route("/ok", .init(status: 200))
            try await withCurl { curl in
                let harness = try await HandlerHarness.start(driver: webhookDriver(curl)) {
                    $0.suppressionEndpoints = [.connect(events)]
                }
                let watch = try #require(harness.service.suppressions?.watch)
                // A SUB socket hears nothing before its subscription reaches the publisher: repeat until heard.
                try await eventually("the handler heard the opt-out", timeout: .seconds(20)) {
                    try publish(Self.event(.unsubscribed, lead: 7, .unspecified))
                    return watch.holds(lead: 7, type: .webhook)
                }
                var other = webhookDispatch(id: 2, url: server.baseURL + "/ok")
                other.lead.leadID = 8
                try await harness.send([webhookDispatch(id: 1, attempt: 2, url: server.baseURL + "/ok"), other])
                let results = Dictionary(uniqueKeysWithValues: try await harness.nextResults(2).map { ($0.actionID, $0) })
                let handedBack = try #require(results[1])
                #expect(handedBack.outcome == .snoozed && handedBack.attempt == 2)
                #expect(handedBack.retryAfter.seconds == 5 && handedBack.error.contains("opted out"))
                #expect(results[2]?.outcome == .succeeded)
                #expect(server.recordedRequests.map { $0.header("Idempotency-Key") } == ["act-2"])

                try await eventually("the handler heard the resubscribe", timeout: .seconds(20)) {
                    try publish(Self.event(.resubscribed, lead: 7, .unspecified))
                    return !watch.holds(lead: 7, type: .webhook)
                }
                try await harness.send([webhookDispatch(id: 3, url: server.baseURL + "/ok")])
                #expect(try await harness.nextResults(1).first?.outcome == .succeeded)
                try await harness.stop()
                #expect(harness.service.statistics.suppressed == 1)
            }
        }
    }
}
