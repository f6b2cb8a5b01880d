import LeadflowDomain

extension DeliveryOutcome {
    /// What this outcome tells a circuit breaker about the provider. Only failures that say the provider is
    /// unwell count against it — timeouts, no connection or TLS, a broken connection, HTTP 408, 429 and 5xx, SMTP
    /// 4xx, and unexplained errors; a permanent refusal (3xx, other 4xx, SMTP 5xx) means it is up and answering.
    /// Outcomes decided without talking to the provider (an invalid action, a shutdown, a snooze) say nothing.
    var breakerVerdict: CircuitBreakerState.Verdict {
        switch self {
        case .succeeded:
            return .success
        case .snoozed:
            return .neutral
        case .retry(let failure, _), .failedPermanently(let failure):
            switch failure.errorClass {
            case .timeout, .connect, .tls, .network, .http408, .http429, .http5xx, .smtp4xx, .other:
                return .failure
            case .http3xx, .http4xx, .smtp5xx, .responseTooLarge:
                return .success
            case .invalidRecipient, .invalidAction, .invalidRequest, .canceled, .circuitOpen:
                return .neutral
            }
        }
    }
}
