import Curl
import Foundation
import Testing

@testable import LeadflowHandlers

@Suite("Outcome classification: what is retried, what is permanent, and the error class")
struct OutcomeClassifierTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// The outcome's kind and error class, comparable across cases.
    static func summary(_ outcome: DeliveryOutcome) -> String {
        switch outcome {
        case .succeeded: "succeeded"
        case .retry(let failure, _): "retry \(failure.errorClass.rawValue)"
        case .failedPermanently(let failure): "failed \(failure.errorClass.rawValue)"
        case .snoozed(_, let reason): "snoozed \(reason.errorClass.rawValue)"
        }
    }

    @Test(
        "HTTP statuses",
        arguments: [
            (200, "succeeded"), (201, "succeeded"), (202, "succeeded"), (204, "succeeded"),
            (408, "retry http_408"), (429, "retry http_429"),
            (500, "retry http_5xx"), (502, "retry http_5xx"), (503, "retry http_5xx"), (504, "retry http_5xx"),
            (400, "failed http_4xx"), (401, "failed http_4xx"), (403, "failed http_4xx"), (404, "failed http_4xx"),
            (409, "failed http_4xx"), (410, "failed http_4xx"), (422, "failed http_4xx"),
            (301, "failed http_3xx"), (302, "failed http_3xx"), (100, "retry other"),
            // The edges of each range.
            (199, "retry other"), (299, "succeeded"), (300, "failed http_3xx"), (399, "failed http_3xx"),
            (407, "failed http_4xx"), (409, "failed http_4xx"), (499, "failed http_4xx"), (599, "retry http_5xx"),
            (600, "retry other"),
        ])
    func httpStatus(status: Int, expected: String) {
        let outcome = OutcomeClassifier.classify(
            status: status, retryAfter: nil, target: "POST https://x/y", now: Self.now)
        #expect(Self.summary(outcome) == expected)
        if case .retry(let failure, _) = outcome { #expect(failure.message == "HTTP \(status) from POST https://x/y") }
    }

    @Test(
        "Retry-After is kept for retried statuses, as seconds or a date",
        arguments: [
            (429, RetryAfter.seconds(30), Duration.seconds(30)),
            (503, .date(now.addingTimeInterval(120)), .seconds(120)),
            (408, .seconds(5), .seconds(5)),
            (500, .seconds(3), .seconds(3)), (502, .date(now.addingTimeInterval(45)), .seconds(45)),
            (429, .seconds(0), .zero),
            // A date in the past means "now", never a negative delay.
            (429, .date(now.addingTimeInterval(-60)), .zero),
        ])
    func retryAfter(status: Int, header: RetryAfter, expected: Duration) {
        let outcome = OutcomeClassifier.classify(status: status, retryAfter: header, target: "t", now: Self.now)
        guard case .retry(_, let after) = outcome else {
            Issue.record("expected a retry, got \(outcome)")
            return
        }
        #expect(after == expected)
    }

    @Test(
        "a Retry-After header that is not seconds or a date leaves the delay to the scheduler",
        arguments: ["soon", "-5", "1.5", ""])
    func malformedRetryAfter(value: String) {
        let request = HTTPRequest(method: .post, url: "https://api.example.com/v1/emails?token=x")
        let response = HTTPResponse(status: 503, headers: ["Retry-After": value])
        #expect(
            OutcomeClassifier.classify(response, to: request, now: Self.now)
                == .retry(
                    DeliveryFailure(.http5xx, "HTTP 503 from POST https://api.example.com/v1/emails"), after: nil))
    }

    @Test("a permanent failure carries no delay, even when the response had Retry-After")
    func noDelayOnPermanentFailure() {
        let outcome = OutcomeClassifier.classify(status: 400, retryAfter: .seconds(9), target: "t", now: Self.now)
        #expect(outcome == .failedPermanently(DeliveryFailure(.http4xx, "HTTP 400 from t")))
    }

    @Test(
        "SMTP replies",
        arguments: [
            (250, "2.0.0 Ok: queued as 4F2C1", "succeeded"), (251, "User not local; will forward", "succeeded"),
            (421, "4.3.2 Service not available", "retry smtp_4xx"), (451, "4.7.1 Greylisted", "retry smtp_4xx"),
            (452, "4.2.2 Mailbox full", "retry smtp_4xx"), (454, "4.7.0 TLS not available", "retry smtp_4xx"),
            (499, "4.0.0 Odd", "retry smtp_4xx"), (599, "5.0.0 Odd", "failed smtp_5xx"),
            (354, "Go ahead", "retry other"),
            (550, "5.1.1 No such user", "failed smtp_5xx"), (553, "5.1.3 Bad address", "failed smtp_5xx"),
            (554, "5.7.1 Rejected", "failed smtp_5xx"), (535, "5.7.8 Bad credentials", "failed smtp_5xx"),
        ])
    func smtpReply(code: Int, text: String, expected: String) {
        let outcome = OutcomeClassifier.classify(SMTPResponse(code: code, text: text), server: "smtp://mx")
        #expect(Self.summary(outcome) == expected)
        if case .failedPermanently(let failure) = outcome {
            #expect(failure.message == "SMTP \(code) \(text) from smtp://mx")
        }
    }

    @Test(
        "the queue id of an accepted message",
        arguments: [
            ("2.0.0 Ok: queued as 4F2C1", "4F2C1"), ("OK id=1rX2ab-0004Qz-3C", "1rX2ab-0004Qz-3C"),
            ("2.0.0 OK (queued as ABC)", "ABC"), ("2.0.0 OK 1700000000 x1si123 - gsmtp", nil),
        ] as [(String, String?)])
    func queueID(text: String, expected: String?) {
        #expect(OutcomeClassifier.queueID(in: text) == expected)
        #expect(
            OutcomeClassifier.classify(SMTPResponse(code: 250, text: text), server: "s")
                == .succeeded(providerMessageID: expected))
    }

    @Test(
        "transfer errors",
        arguments: [
            (CurlError.Kind.timeout, "retry timeout"), (.couldNotConnect, "retry connect"),
            (.couldNotResolveHost, "retry connect"), (.tls, "retry tls"), (.sendFailed, "retry network"),
            (.receiveFailed, "retry network"), (.responseTooLarge, "retry response_too_large"),
            (.malformedURL, "failed invalid_request"), (.invalidRequest, "failed invalid_request"),
            (.other, "retry other"),
        ])
    func curlErrors(kind: CurlError.Kind, expected: String) {
        let outcome = OutcomeClassifier.classify(CurlError(kind: kind, code: 7, message: "what libcurl said"))
        #expect(Self.summary(outcome) == expected)
    }

    @Test("every transfer error kind has a class")
    func everyKindIsClassified() {
        let classes = CurlError.Kind.allCases.map {
            Self.summary(OutcomeClassifier.classify(CurlError(kind: $0, code: 0, message: "")))
        }
        #expect(classes.count == CurlError.Kind.allCases.count)
        #expect(!classes.contains("succeeded"))
    }

    @Test("cancellation (the handler stopping) is retried as canceled")
    func cancellation() {
        #expect(Self.summary(OutcomeClassifier.classify(CancellationError())) == "retry canceled")
    }

    @Test("error classes are stable strings")
    func stableClassNames() {
        #expect(
            DeliveryErrorClass.allCases.map(\.rawValue) == [
                "timeout", "connect", "tls", "network", "http_408", "http_429", "http_5xx", "http_3xx", "http_4xx",
                "smtp_4xx", "smtp_5xx", "invalid_recipient", "invalid_action", "invalid_request",
                "response_too_large", "canceled", "circuit_open", "other",
            ])
    }
}
