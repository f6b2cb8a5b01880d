import Curl
import Foundation
import LeadflowBus
import LeadflowDomain
import LeadflowProto
import LeadflowSecrets
import LeadflowTestKit
import Logging
import Testing

@testable import LeadflowHandlers

/// The dispatch's trace in a handler: its log lines, its provider requests (`traceparent`) and its result.
@Suite("Trace context in handlers", .timeLimit(.minutes(1)))
struct TraceContextHandlerTests {
    static let trace = TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")!

    @Test("the webhook request carries the trace; the action's own traceparent cannot replace it; the signature is unchanged")
    func webhookRequest() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hook", method: "POST", .init(status: 204))
            try await withCurl { curl in
                let now = Date(timeIntervalSince1970: 1_795_000_000)
                var configuration = WebhookDriver.Configuration()
                configuration.signingSecret = "secret"
                let driver = WebhookDriver(configuration: configuration, curl: curl, now: { now })
                let dispatch = webhookDispatch(
                    url: server.baseURL + "/hook", body: #"{"id":"{{external_id}}"}"#,
                    headers: ["traceparent": "00-11111111111111111111111111111111-2222222222222222-01"])
                #expect(await driver.deliver(dispatch, trace: Self.trace) == .succeeded())
                #expect(await driver.deliver(dispatch) == .succeeded())

                let requests = server.recordedRequests
                try #require(requests.count == 2)
                #expect(requests[0].header("traceparent") == Self.trace.description)
                // Without a trace the action's own header goes out as the action defines it.
                #expect(requests[1].header("traceparent") == "00-11111111111111111111111111111111-2222222222222222-01")
                // The signature covers the timestamp and the body, as before: both requests carry the same one.
                let signature = try #require(requests[0].header(WebhookSignature.headerName))
                #expect(requests[1].header(WebhookSignature.headerName) == signature)
                #expect(WebhookSignature.isValid(header: signature, secret: "secret", body: requests[0].body, now: now))
            }
        }
    }

    @Test("the email and SMS provider requests carry the trace")
    func providerRequests() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/v1/emails", method: "POST", .init(status: 200, text: #"{"id":"em_1"}"#))
            server.route("/Messages.json", method: "POST", .init(status: 201, text: #"{"sid":"SM1"}"#))
            try await withCurl { curl in
                var email = HTTPEmailDriver.Configuration()
                email.endpoint.url = server.baseURL + "/v1/emails"
                email.apiToken = "token"
                var sms = HTTPSMSDriver.Configuration()
                sms.endpoint.url = server.baseURL + "/Messages.json"
                sms.accountID = "AC1"
                sms.authToken = "token"
                let child = Self.trace.child()
                let sent = await HTTPEmailDriver(configuration: email, curl: curl).deliver(emailDispatch(), trace: child)
                #expect(sent == .succeeded(providerMessageID: "em_1"))
                let texted = await HTTPSMSDriver(configuration: sms, curl: curl).deliver(smsDispatch(), trace: child)
                #expect(texted == .succeeded(providerMessageID: "SM1"))
                #expect(server.recordedRequests.map { $0.header("traceparent") } == [child.description, child.description])
            }
        }
    }

    /// Sends one webhook dispatch with `traceparent` (none when nil) and returns the result's envelope.
    func deliver(
        traceparent: String?, server: TestHTTPServer, logs: CapturedLogs, curl: CurlMulti
    ) async throws -> Envelope {
        let harness = try await HandlerHarness.start(driver: webhookDriver(curl), logs: logs)
        var headers = Headers()
        if let traceparent { try headers.append(Headers.Name.traceparent, traceparent) }
        try await harness.dispatches.push(
            Envelope(
                subject: Subject("action.webhook"), message: webhookDispatch(id: 5, url: server.baseURL + "/hook"),
                headers: headers))
        let result = try #require(await harness.results.next())
        try await harness.stop()
        return result
    }

    /// The log lines about action 5.
    static func deliveryLines(_ logs: CapturedLogs) -> [CapturedLogs.Record] {
        logs.all.filter { $0.metadata["action.id"] == "5" }
    }

    @Test("a delivery logs the dispatch's trace id, sends a child of it to the provider and back with the result")
    func deliveryInTheDispatchTrace() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hook", method: "POST", .init(status: 500, text: "down"))
            try await withCurl { curl in
                let logs = CapturedLogs()
                let result = try await deliver(
                    traceparent: Self.trace.description, server: server, logs: logs, curl: curl)
                #expect(try result.decode(Leadflow_V1_ActionResult.self).outcome == .retry)
                let returned = try #require(result.headers[Headers.Name.traceparent].flatMap(TraceParent.init))
                #expect(returned.traceID == Self.trace.traceID)
                #expect(returned.parentID != Self.trace.parentID)
                let request = try #require(server.recordedRequests.first)
                #expect(request.header("traceparent") == returned.description)

                let lines = Self.deliveryLines(logs)
                #expect(lines.contains { $0.message == "delivery failed; will be retried" })
                #expect(!lines.isEmpty)
                #expect(lines.allSatisfy { $0.metadata[TraceParent.logMetadataKey] == Self.trace.traceID })
            }
        }
    }

    @Test("a dispatch without a traceparent, or with one that is not valid, is delivered in a new trace", arguments: [nil, "00-zz"])
    func deliveryInANewTrace(traceparent: String?) async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hook", method: "POST", .init(status: 204))
            try await withCurl { curl in
                let logs = CapturedLogs()
                let result = try await deliver(traceparent: traceparent, server: server, logs: logs, curl: curl)
                #expect(try result.decode(Leadflow_V1_ActionResult.self).outcome == .succeeded)
                let returned = try #require(result.headers[Headers.Name.traceparent].flatMap(TraceParent.init))
                #expect(server.recordedRequests.first?.header("traceparent") == returned.description)
                let lines = Self.deliveryLines(logs)
                #expect(lines.contains { $0.message == "delivered" })
                #expect(lines.allSatisfy { $0.metadata[TraceParent.logMetadataKey] == returned.traceID })
                let noticed = lines.contains { $0.message.contains("traceparent is not valid") }
                #expect(noticed == (traceparent != nil))
            }
        }
    }
}
