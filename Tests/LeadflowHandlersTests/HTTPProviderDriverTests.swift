import Curl
import Foundation
import LeadflowSecrets
import LeadflowTestKit
import Testing

@testable import LeadflowHandlers

@Suite("HTTP email and SMS provider drivers against a real HTTP server", .timeLimit(.minutes(1)))
struct HTTPProviderDriverTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    func emailDriver(_ url: String, curl: CurlMulti) -> HTTPEmailDriver {
        var configuration = HTTPEmailDriver.Configuration()
        configuration.endpoint.url = url
        configuration.apiToken = "re_live_token"
        return HTTPEmailDriver(configuration: configuration, curl: curl, now: { Self.now })
    }

    func smsDriver(_ url: String, curl: CurlMulti) -> HTTPSMSDriver {
        var configuration = HTTPSMSDriver.Configuration()
        configuration.endpoint.url = url
        configuration.accountID = "AC123"
        configuration.authToken = "tw-token"
        return HTTPSMSDriver(configuration: configuration, curl: curl, now: { Self.now })
    }

    @Test func theEmailProviderGetsJSONWithBearerAuthAndTheIdempotencyKey() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/v1/emails", method: "POST", .init(status: 200, text: #"{"id":"em_123","status":"queued"}"#))
            try await withCurl { curl in
                var dispatch = emailDispatch(key: "act-42")
                dispatch.email.html = "<p>{{first_name}}</p>"
                let outcome = await emailDriver(server.baseURL + "/v1/emails", curl: curl).deliver(dispatch)
                #expect(outcome == .succeeded(providerMessageID: "em_123"))

                let request = try #require(server.recordedRequests.first)
                #expect(request.header("Authorization") == "Bearer re_live_token")
                #expect(request.header("Idempotency-Key") == "act-42")
                #expect(request.header("Content-Type") == "application/json")
                let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: String])
                #expect(
                    body == [
                        "from": "Sales <sales@example.com>", "to": "ada@example.org", "subject": "Hello Ada",
                        "text": "Hi Ada,\nyour plan: pro.", "html": "<p>Ada</p>", "reply_to": "replies@example.com",
                    ])
            }
        }
    }

    @Test func theOneClickUnsubscribeFieldsGoInTheJSONHeaders() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/v1/emails", .init(status: 202))
            try await withCurl { curl in
                var configuration = HTTPEmailDriver.Configuration()
                configuration.endpoint.url = server.baseURL + "/v1/emails"
                configuration.apiToken = "re_live_token"
                configuration.listUnsubscribe = ListUnsubscribe(
                    baseURL: "https://links.example.com", keys: ListUnsubscribeTests.keys, mailto: "unsubscribe@example.com")
                let driver = HTTPEmailDriver(configuration: configuration, curl: curl)
                #expect(await driver.deliver(emailDispatch()) == .succeeded())
                let body = try #require(server.recordedRequests.first?.body)
                let fields = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
                let headers = try #require(fields["headers"] as? [String: String], "\(fields)")
                #expect(headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
                let uris = try #require(headers["List-Unsubscribe"]).components(separatedBy: ", ")
                try #require(uris.count == 2, "\(headers)")
                let link = String(uris[0].dropFirst().dropLast())
                let token = try ListUnsubscribeTests.token(in: link, after: "https://links.example.com/unsubscribe/")
                #expect(token == UnsubscribeToken(org: "acme", leadID: 7, channel: .email))
                #expect(uris[1].hasPrefix("<mailto:unsubscribe@example.com?subject=unsubscribe%20") && !uris[1].contains("\r\n"))
            }
        }
    }

    @Test func absentHTMLAndReplyToAreLeftOut() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/v1/emails", .init(status: 202))
            try await withCurl { curl in
                var dispatch = emailDispatch()
                dispatch.email.clearReplyTo()
                #expect(await emailDriver(server.baseURL + "/v1/emails", curl: curl).deliver(dispatch) == .succeeded())
                let body = try #require(server.recordedRequests.first?.body)
                let fields = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: String])
                #expect(Set(fields.keys) == ["from", "to", "subject", "text"])
            }
        }
    }

    @Test func theSMSProviderGetsAFormWithBasicAuthAndTheIdempotencyKey() async throws {
        try await TestHTTPServer.withServer { server in
            server.route(
                "/Messages.json", method: "POST", .init(status: 201, text: #"{"sid":"SM42","status":"queued"}"#))
            try await withCurl { curl in
                let outcome = await smsDriver(server.baseURL + "/Messages.json", curl: curl).deliver(
                    smsDispatch(key: "act-43"))
                #expect(outcome == .succeeded(providerMessageID: "SM42"))

                let request = try #require(server.recordedRequests.first)
                #expect(request.header("Authorization") == "Basic " + Data("AC123:tw-token".utf8).base64EncodedString())
                #expect(request.header("Idempotency-Key") == "act-43")
                #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
                let form = String(decoding: request.body, as: UTF8.self)
                let body = "Hi%20Ada%20%26%20co%3A%2050%25%20off%20%2B%20free%20setup"
                #expect(form == "To=%2B15550100&From=%2B15550199&Body=" + body)
                // Decoded as a provider would, the values are exactly the rendered ones.
                var components = URLComponents()
                components.percentEncodedQuery = form
                let values = Dictionary(
                    uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
                #expect(
                    values == ["To": "+15550100", "From": "+15550199", "Body": "Hi Ada & co: 50% off + free setup"])
            }
        }
    }

    @Test func tooManyRequestsIsRetriedAfterTheProvidersDelay() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/Messages.json", .init(status: 429, headers: [("Retry-After", "120")], text: "slow down"))
            try await withCurl { curl in
                let outcome = await smsDriver(server.baseURL + "/Messages.json", curl: curl).deliver(smsDispatch())
                guard case .retry(let failure, let after) = outcome else {
                    Issue.record("expected a retry, got \(outcome)")
                    return
                }
                #expect(failure.errorClass == .http429)
                #expect(after == .seconds(120))
                #expect(failure.message == "HTTP 429 from POST \(server.baseURL)/Messages.json")
            }
        }
    }

    @Test(
        "provider answers",
        arguments: [
            (500, "retry http_5xx"), (503, "retry http_5xx"), (400, "failed http_4xx"), (401, "failed http_4xx"),
        ])
    func providerStatuses(status: Int, expected: String) async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/v1/emails", .init(status: status, text: #"{"error":"nope"}"#))
            try await withCurl { curl in
                let outcome = await emailDriver(server.baseURL + "/v1/emails", curl: curl).deliver(emailDispatch())
                #expect(OutcomeClassifierTests.summary(outcome) == expected)
            }
        }
    }

    @Test func aRefusedConnectionIsRetried() async throws {
        let url = "http://127.0.0.1:\(try LoopbackPort.unused())/v1/emails"
        try await withCurl { curl in
            #expect(
                OutcomeClassifierTests.summary(await emailDriver(url, curl: curl).deliver(emailDispatch()))
                    == "retry connect")
            #expect(
                OutcomeClassifierTests.summary(await smsDriver(url, curl: curl).deliver(smsDispatch()))
                    == "retry connect")
        }
    }

    @Test func aLeadWithoutAPhoneNumberFailsPermanentlyWithoutARequest() async throws {
        try await TestHTTPServer.withServer { server in
            try await withCurl { curl in
                var dispatch = smsDispatch()
                dispatch.lead.phone = ""
                let outcome = await smsDriver(server.baseURL + "/Messages.json", curl: curl).deliver(dispatch)
                #expect(OutcomeClassifierTests.summary(outcome) == "failed invalid_recipient")
                #expect(server.recordedRequests.isEmpty)
            }
        }
    }

    @Test func aDispatchOfAnotherTypeFailsPermanently() async throws {
        let outcome = try await withCurl { curl in
            await emailDriver("http://127.0.0.1:1/", curl: curl).deliver(smsDispatch())
        }
        #expect(OutcomeClassifierTests.summary(outcome) == "failed invalid_action")
    }

    @Test func configurationsNameTheMissingSetting() {
        #expect(throws: HandlerConfigurationError(setting: "email_http.url", "is required")) {
            try HTTPEmailDriver.Configuration().validate()
        }
        var sms = HTTPSMSDriver.Configuration()
        sms.endpoint.url = "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
        sms.accountID = "AC123"
        #expect(
            throws: HandlerConfigurationError(setting: "sms_http.auth_token", "is required (the basic-auth password)")
        ) {
            try sms.validate()
        }
        sms.authToken = "token"
        #expect(throws: Never.self) { try sms.validate() }
    }
}
