import Crypto
import Curl
import Foundation
import LeadflowProto
import LeadflowSecrets
import LeadflowTestKit
import SwiftProtobuf
import Testing

@testable import LeadflowHandlers

@Suite("Webhook driver: signed JSON POSTs to a real HTTP server", .timeLimit(.minutes(1)))
struct WebhookDriverTests {
    static let secret = "whsec_test_0123456789"
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    func driver(curl: CurlMulti) -> WebhookDriver {
        var configuration = WebhookDriver.Configuration()
        configuration.signingSecret = Secret(Self.secret)
        return WebhookDriver(configuration: configuration, curl: curl, now: { Self.now })
    }

    /// Checks the signature the way a receiver would, with nothing from the driver but the header.
    static func verifySignature(_ header: String?, body: [UInt8]) throws {
        let header = try #require(header)
        let fields = Dictionary(
            uniqueKeysWithValues: header.split(separator: ",").map { field in
                let parts = field.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), String(parts[1]))
            })
        let timestamp = try #require(fields["t"])
        #expect(timestamp == "1795000000")
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).".utf8) + Data(body), using: key)
        #expect(fields["v1"] == mac.map { String(format: "%02x", $0) }.joined())
    }

    @Test func theRenderedBodyIsSignedAndSentWithTheActionsHeaders() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hooks/lead", method: "POST", .init(status: 204))
            try await withCurl { curl in
                let dispatch = webhookDispatch(
                    id: 44, url: server.baseURL + "/hooks/lead?token=abc",
                    body: #"{"lead":"{{external_id}}","name":"{{first_name}} {{last_name}}"}"#,
                    headers: ["X-Team": "growth", "Idempotency-Key": "not-this-one"])
                #expect(await driver(curl: curl).deliver(dispatch) == .succeeded())

                let request = try #require(server.recordedRequests.first)
                #expect(request.method == "POST")
                #expect(request.query == "token=abc")
                #expect(String(decoding: request.body, as: UTF8.self) == #"{"lead":"crm-7","name":"Ada Lovelace"}"#)
                #expect(request.header("Content-Type") == "application/json")
                #expect(request.header("X-Team") == "growth")
                // The action's headers cannot replace the ones receivers rely on.
                #expect(request.header("Idempotency-Key") == "act-44")
                #expect(request.header("User-Agent") == "Leadflow-Webhook/1")
                try Self.verifySignature(request.header("Leadflow-Signature"), body: request.body)
                #expect(
                    WebhookSignature.isValid(
                        header: try #require(request.header("Leadflow-Signature")), secret: Self.secret,
                        body: request.body, now: Self.now))
            }
        }
    }

    @Test func withoutABodyTemplateTheLeadIsSentAsProtobufJSON() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hook", .init(status: 200))
            try await withCurl { curl in
                let dispatch = webhookDispatch(
                    url: server.baseURL + "/hook", headers: ["Content-Type": "application/vnd.lead+json"])
                #expect(await driver(curl: curl).deliver(dispatch) == .succeeded())

                let request = try #require(server.recordedRequests.first)
                #expect(request.header("Content-Type") == "application/vnd.lead+json")
                let lead = try Leadflow_V1_LeadSnapshot(jsonUTF8Bytes: request.body)
                #expect(lead == dispatch.lead)
                try Self.verifySignature(request.header("Leadflow-Signature"), body: request.body)
            }
        }
    }

    @Test(
        "receiver answers",
        arguments: [
            (200, "succeeded"), (202, "succeeded"), (301, "failed http_3xx"), (404, "failed http_4xx"),
            (410, "failed http_4xx"), (408, "retry http_408"), (500, "retry http_5xx"),
        ])
    func receiverStatuses(status: Int, expected: String) async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hook", .init(status: status))
            try await withCurl { curl in
                let outcome = await driver(curl: curl).deliver(webhookDispatch(url: server.baseURL + "/hook"))
                #expect(OutcomeClassifierTests.summary(outcome) == expected)
            }
        }
    }

    @Test func aDateRetryAfterBecomesADelay() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hook", .init(status: 503, headers: [("Retry-After", "Wed, 18 Nov 2026 11:08:40 GMT")]))
            try await withCurl { curl in
                let outcome = await driver(curl: curl).deliver(webhookDispatch(url: server.baseURL + "/hook"))
                #expect(
                    outcome
                        == .retry(
                            DeliveryFailure(.http5xx, "HTTP 503 from POST \(server.baseURL)/hook"), after: .seconds(120)
                        ))
            }
        }
    }

    @Test func aReceiverSlowerThanTheTimeoutIsRetried() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hook", .init(status: 200, delay: .seconds(30)))
            try await withCurl { curl in
                var configuration = WebhookDriver.Configuration()
                configuration.signingSecret = Secret(Self.secret)
                configuration.timeout = .milliseconds(300)
                let outcome = await WebhookDriver(configuration: configuration, curl: curl)
                    .deliver(webhookDispatch(url: server.baseURL + "/hook"))
                #expect(OutcomeClassifierTests.summary(outcome) == "retry timeout")
            }
        }
    }

    @Test func aConnectionCutBeforeTheAnswerIsRetried() async throws {
        try await TestHangUpServer.withServer { server in
            try await withCurl { curl in
                let outcome = await driver(curl: curl).deliver(webhookDispatch(url: server.baseURL + "/hook"))
                #expect(OutcomeClassifierTests.summary(outcome) == "retry network", "\(outcome)")
                #expect(server.hangUps == 1)
            }
        }
    }

    @Test func aURLThatIsNotHTTPFailsPermanently() async throws {
        let outcome = try await withCurl { curl in
            await driver(curl: curl).deliver(webhookDispatch(url: "file:///etc/passwd"))
        }
        #expect(OutcomeClassifierTests.summary(outcome) == "failed invalid_request")
    }

    @Test func aHeaderWithALineBreakFailsPermanentlyWithoutARequest() async throws {
        try await TestHTTPServer.withServer { server in
            try await withCurl { curl in
                let dispatch = webhookDispatch(url: server.baseURL + "/hook", headers: ["X-Evil": "a\r\nInjected: yes"])
                #expect(
                    OutcomeClassifierTests.summary(await driver(curl: curl).deliver(dispatch))
                        == "failed invalid_request")
                #expect(server.recordedRequests.isEmpty)
            }
        }
    }

    @Test func theSignatureRejectsAlteredBodiesOtherSecretsAndOldTimestamps() {
        let body = Array(#"{"a":1}"#.utf8)
        let header = WebhookSignature.header(secret: Self.secret, timestamp: 1_795_000_000, body: body)
        #expect(WebhookSignature.isValid(header: header, secret: Self.secret, body: body, now: Self.now))
        #expect(
            !WebhookSignature.isValid(header: header, secret: Self.secret, body: Array(#"{"a":2}"#.utf8), now: Self.now)
        )
        #expect(!WebhookSignature.isValid(header: header, secret: "another", body: body, now: Self.now))
        #expect(!WebhookSignature.isValid(header: header, secret: Self.secret, body: body, now: Self.now + 301))
        #expect(!WebhookSignature.isValid(header: "t=1795000000,v1=zz", secret: Self.secret, body: body, now: Self.now))
        #expect(!WebhookSignature.isValid(header: "garbage", secret: Self.secret, body: body, now: Self.now))
    }

    @Test func aSigningSecretIsRequired() {
        #expect(
            throws: HandlerConfigurationError(
                setting: "webhook.signing_secret", "is required (receivers verify Leadflow-Signature with it)")
        ) {
            try WebhookDriver.Configuration().validate()
        }
    }
}
