import Curl
import Foundation

/// Turns what a provider answered — an HTTP status, an SMTP reply, a transfer error — into a `DeliveryOutcome`:
/// succeeded, worth retrying, or permanently failed, with a stable error class. Pure: no I/O, no clock of its own.
public enum OutcomeClassifier {
    /// 2xx succeeds; 408, 429 and 5xx are retried (after `Retry-After` when the response has one); 3xx and the
    /// other 4xx fail permanently. `target` names the request in messages (e.g. `POST https://host/path`).
    public static func classify(status: Int, retryAfter: RetryAfter?, target: String, now: Date) -> DeliveryOutcome {
        let failure = { (errorClass: DeliveryErrorClass) in
            DeliveryFailure(errorClass, "HTTP \(status) from \(target)")
        }
        let delay = retryAfter?.delay(from: now)
        switch status {
        case 200..<300: return .succeeded()
        case 408: return .retry(failure(.http408), after: delay)
        case 429: return .retry(failure(.http429), after: delay)
        case 500..<600: return .retry(failure(.http5xx), after: delay)
        case 300..<400: return .failedPermanently(failure(.http3xx))
        case 400..<500: return .failedPermanently(failure(.http4xx))
        default: return .retry(failure(.other), after: delay)
        }
    }

    /// The outcome of an HTTP exchange that got a response.
    public static func classify(_ response: HTTPResponse, to request: HTTPRequest, now: Date) -> DeliveryOutcome {
        classify(
            status: response.status, retryAfter: response.retryAfter,
            target: "\(request.method) \(request.redactedURL)",
            now: now)
    }

    /// 2xx succeeds (with the queue id when the reply names one); 4xx is retried; 5xx fails permanently.
    public static func classify(_ reply: SMTPResponse, server: String) -> DeliveryOutcome {
        let failure = { (errorClass: DeliveryErrorClass) in
            DeliveryFailure(errorClass, "SMTP \(reply.code) \(reply.text) from \(server)")
        }
        switch reply.code {
        case 200..<300: return .succeeded(providerMessageID: queueID(in: reply.text))
        case 400..<500: return .retry(failure(.smtp4xx))
        case 500..<600: return .failedPermanently(failure(.smtp5xx))
        default: return .retry(failure(.other))
        }
    }

    /// A transfer that ended without an answer: the network kinds are retried, a request that could not be sent
    /// as given fails permanently, and cancellation (the handler shutting down) is retried as `canceled`.
    public static func classify(_ error: any Error) -> DeliveryOutcome {
        guard let error = error as? CurlError else {
            if error is CancellationError {
                return .retry(DeliveryFailure(.canceled, "the handler stopped before the delivery finished"))
            }
            return .retry(DeliveryFailure(.other, "\(error)"))
        }
        let message = "\(error.kind.rawValue): \(error.message)"
        switch error.kind {
        case .timeout: return .retry(DeliveryFailure(.timeout, message))
        case .couldNotConnect, .couldNotResolveHost: return .retry(DeliveryFailure(.connect, message))
        case .tls: return .retry(DeliveryFailure(.tls, message))
        case .sendFailed, .receiveFailed: return .retry(DeliveryFailure(.network, message))
        case .responseTooLarge: return .retry(DeliveryFailure(.responseTooLarge, message))
        case .malformedURL, .invalidRequest: return .failedPermanently(DeliveryFailure(.invalidRequest, message))
        case .other: return .retry(DeliveryFailure(.other, message))
        }
    }

    /// The queue id in a final `250` reply: Postfix's `queued as 4F2C1`, Exim's `id=1rX2-0004`; nil otherwise.
    static func queueID(in text: String) -> String? {
        for marker in ["queued as ", "id="] {
            guard let range = text.range(of: marker, options: .caseInsensitive) else { continue }
            let id = text[range.upperBound...].prefix { !$0.isWhitespace && $0 != ")" && $0 != ">" }
            if !id.isEmpty { return String(id) }
        }
        return nil
    }
}
