/// The stable, low-cardinality `ActionResult.error_class` values (documented in docs/handlers.md): what metrics,
/// alerts and dashboards group failures by. Raw values never change.
public enum DeliveryErrorClass: String, Sendable, Hashable, CaseIterable {
    /// The transfer ran out of time (connect or total timeout). Retried.
    case timeout
    /// No connection: refused, unreachable, or the host name did not resolve. Retried.
    case connect
    /// The TLS handshake or certificate check failed, or STARTTLS was required and not offered. Retried.
    case tls
    /// The connection broke while sending or receiving. Retried.
    case network
    /// HTTP 408 Request Timeout. Retried.
    case http408 = "http_408"
    /// HTTP 429 Too Many Requests. Retried, after `Retry-After` when given.
    case http429 = "http_429"
    /// HTTP 5xx. Retried, after `Retry-After` when given.
    case http5xx = "http_5xx"
    /// HTTP 3xx: redirects are not followed, so the configured URL is wrong. Permanent.
    case http3xx = "http_3xx"
    /// HTTP 4xx other than 408 and 429. Permanent.
    case http4xx = "http_4xx"
    /// An SMTP 4xx reply (e.g. 451 greylisting, 452 mailbox full). Retried.
    case smtp4xx = "smtp_4xx"
    /// An SMTP 5xx reply (e.g. 550 no such user, 535 bad credentials). Permanent.
    case smtp5xx = "smtp_5xx"
    /// The recipient rendered empty (the lead has no email address or phone number) or is not usable. Permanent.
    case invalidRecipient = "invalid_recipient"
    /// The dispatch cannot be delivered as given: its configuration is missing, of another action type, or lacks
    /// a required field (sender, URL). Permanent.
    case invalidAction = "invalid_action"
    /// The request was refused before any I/O: a URL with a scheme other than http(s), a header with a line
    /// break. Permanent.
    case invalidRequest = "invalid_request"
    /// The provider's answer exceeded the response size limit; the message may have been delivered. Retried.
    case responseTooLarge = "response_too_large"
    /// The handler shut down before the delivery finished; it may have been delivered. Retried.
    case canceled
    /// Not sent: the circuit breaker of the provider endpoint is open (it failed repeatedly). Snoozed.
    case circuitOpen = "circuit_open"
    /// Anything else (a libcurl error without a better class, an unexpected status). Retried.
    case other
}
