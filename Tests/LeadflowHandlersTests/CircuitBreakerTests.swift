import Curl
import Foundation
import LeadflowDomain
import Synchronization
import Testing

@testable import LeadflowHandlers

/// A clock that moves only when told to.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    var now: ContinuousClock.Instant { instant.withLock { $0 } }

    func advance(by duration: Duration) {
        instant.withLock { $0 += duration }
    }
}

@Suite("Circuit breaker of one endpoint, what counts against a provider, and which endpoint a dispatch has")
struct CircuitBreakerTests {
    static let endpoint = "https://api.example.com:443"

    static func breaker(clock: ManualClock, unit: Double = 0) -> CircuitBreaker {
        var policy = CircuitBreakerPolicy()
        policy.consecutiveFailures = 2
        policy.openDuration = .seconds(10)
        return CircuitBreaker(endpoint: endpoint, policy: policy, now: { clock.now }, unit: { unit })
    }

    static let failure = DeliveryOutcome.retry(DeliveryFailure(.http5xx, "HTTP 503 from POST https://api.example.com"))

    /// Lets a delivery through (it must be) and records `outcome` for it.
    @discardableResult
    static func deliver(_ outcome: DeliveryOutcome, _ breaker: CircuitBreaker) -> CircuitBreakerState.Transition? {
        guard case .deliver(let ticket) = breaker.admit().0 else {
            Issue.record("expected the delivery to be let through")
            return nil
        }
        return breaker.record(outcome, ticket: ticket)
    }

    @Test func anOpenBreakerAnswersWithASnoozeForTheTimeLeft() {
        let clock = ManualClock()
        let breaker = Self.breaker(clock: clock, unit: 0.5)
        Self.deliver(Self.failure, breaker)
        #expect(Self.deliver(Self.failure, breaker) == .opened(reason: "2 consecutive failures"))
        clock.advance(by: .seconds(4))
        let (admission, transition) = breaker.admit()
        #expect(transition == nil)
        guard case .snooze(let outcome) = admission else {
            Issue.record("expected a snooze, got \(admission)")
            return
        }
        // Six seconds left, plus half of half the ten-second interval (the draw is 0.5).
        #expect(
            outcome
                == .snoozed(
                    after: .seconds(8.5),
                    reason: DeliveryFailure(
                        .circuitOpen,
                        "the circuit breaker of \(Self.endpoint) is open after 2 consecutive failures; not sent")))
    }

    @Test func afterTheIntervalTheNextDeliveryIsTheProbeAndOthersWait() {
        let clock = ManualClock()
        let breaker = Self.breaker(clock: clock)
        Self.deliver(Self.failure, breaker)
        Self.deliver(Self.failure, breaker)
        clock.advance(by: .seconds(10))
        let (probe, transition) = breaker.admit()
        #expect(transition == .halfOpened)
        guard case .deliver(let ticket) = probe else {
            Issue.record("expected the probe to be let through, got \(probe)")
            return
        }
        guard case .snooze(.snoozed(let after, let reason)) = breaker.admit().0 else {
            Issue.record("expected the second delivery to be snoozed")
            return
        }
        #expect(after == .zero)
        #expect(
            reason.message
                == "the circuit breaker of \(Self.endpoint) is half-open and its probes are out "
                + "(it opened after 2 consecutive failures); not sent")
        #expect(breaker.record(.succeeded(), ticket: ticket) == .closed)
        #expect(breaker.phase == .closed)
    }

    @Test func aTimeoutOfADeliveryLetThroughBeforeTheEndpointLastAnsweredDoesNotCountInARow() {
        let clock = ManualClock()
        let breaker = Self.breaker(clock: clock)
        guard case .deliver(let hung) = breaker.admit().0 else {
            Issue.record("expected the delivery to be let through")
            return
        }
        clock.advance(by: .milliseconds(50))
        #expect(Self.deliver(.succeeded(), breaker) == nil)
        clock.advance(by: .seconds(30))
        // Let through before the answer, it was in flight while the endpoint answered.
        #expect(breaker.record(.retry(DeliveryFailure(.timeout, "timed out after 30 s")), ticket: hung) == nil)
        #expect(Self.deliver(Self.failure, breaker) == nil)
        #expect(Self.deliver(Self.failure, breaker) == .opened(reason: "2 consecutive failures"))
    }

    @Test(
        "what an outcome says about the provider",
        arguments: [
            (DeliveryOutcome.succeeded(providerMessageID: "m1"), CircuitBreakerState.Verdict.success),
            (.retry(DeliveryFailure(.timeout, "")), .failure), (.retry(DeliveryFailure(.connect, "")), .failure),
            (.retry(DeliveryFailure(.tls, "")), .failure), (.retry(DeliveryFailure(.network, "")), .failure),
            (.retry(DeliveryFailure(.http408, "")), .failure), (.retry(DeliveryFailure(.http429, "")), .failure),
            (.retry(DeliveryFailure(.http5xx, "")), .failure), (.retry(DeliveryFailure(.smtp4xx, "")), .failure),
            (.retry(DeliveryFailure(.other, "")), .failure),
            (.retry(DeliveryFailure(.responseTooLarge, "")), .success),
            (.failedPermanently(DeliveryFailure(.http4xx, "")), .success),
            (.failedPermanently(DeliveryFailure(.http3xx, "")), .success),
            (.failedPermanently(DeliveryFailure(.smtp5xx, "")), .success),
            (.failedPermanently(DeliveryFailure(.invalidRecipient, "")), .neutral),
            (.failedPermanently(DeliveryFailure(.invalidAction, "")), .neutral),
            (.failedPermanently(DeliveryFailure(.invalidRequest, "")), .neutral),
            (.retry(DeliveryFailure(.canceled, "")), .neutral),
            (.snoozed(after: .seconds(1), reason: DeliveryFailure(.circuitOpen, "")), .neutral),
        ])
    func verdicts(outcome: DeliveryOutcome, expected: CircuitBreakerState.Verdict) {
        #expect(outcome.breakerVerdict == expected)
    }

    @Test(
        "endpoints are origins with the default port filled in",
        arguments: [
            ("https://API.Example.com/v1/emails?x=1", "https://api.example.com:443"),
            ("http://127.0.0.1:8080/hook", "http://127.0.0.1:8080"),
            ("http://user:secret@hooks.example.org/a", "http://hooks.example.org:80"),
            ("smtp://mail.example.com:587", "smtp://mail.example.com:587"),
            ("smtps://mail.example.com", "smtps://mail.example.com:465"),
            ("http://[::1]:9000/x", "http://[::1]:9000"),
            ("not a url", nil), ("file:///etc/passwd", nil), ("ftp://example.com/x", nil),
        ] as [(String, String?)])
    func origins(url: String, expected: String?) {
        #expect(EndpointOrigin.of(url) == expected)
    }

    @Test func eachDriverNamesTheEndpointItSendsTo() async throws {
        try await withCurl { curl in
            var smtp = SMTPEmailDriver.Configuration()
            smtp.url = "smtp://mail.example.com:587"
            let smtpDriver = SMTPEmailDriver(configuration: smtp)
            await smtpDriver.shutdown()
            #expect(smtpDriver.endpoint(for: emailDispatch()) == "smtp://mail.example.com:587")
            var email = HTTPEmailDriver.Configuration()
            email.endpoint.url = "https://api.mail.example/v1/emails"
            let emailDriver = HTTPEmailDriver(configuration: email, curl: curl)
            #expect(emailDriver.endpoint(for: emailDispatch()) == "https://api.mail.example:443")
            var sms = HTTPSMSDriver.Configuration()
            sms.endpoint.url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
            let smsDriver = HTTPSMSDriver(configuration: sms, curl: curl)
            #expect(smsDriver.endpoint(for: smsDispatch()) == "https://api.twilio.com:443")
            let webhook = WebhookDriver(configuration: .init(), curl: curl)
            let hook = webhookDispatch(url: "https://hooks.example.org/lead")
            #expect(webhook.endpoint(for: hook) == "https://hooks.example.org:443")
            #expect(webhook.endpoint(for: emailDispatch()) == nil)
        }
        #expect(LogDriver(logger: .init(label: "test")).endpoint(for: emailDispatch()) == nil)
    }
}
