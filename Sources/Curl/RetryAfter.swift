import CCurl
import Foundation

/// A server's `Retry-After` value (RFC 9110 §10.2.3): either a number of seconds or an HTTP-date.
public enum RetryAfter: Sendable, Hashable {
    case seconds(Int)
    case date(Date)

    /// Parses delta-seconds or any of the three HTTP-date forms; nil for anything else (negative, garbage).
    public init?(headerValue: String) {
        let value = headerValue.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { return nil }
        if value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Absurd digit strings still mean "a very long time": saturate rather than reject.
            self = .seconds(Int(value) ?? Int.max)
            return
        }
        // curl_getdate parses IMF-fixdate, RFC 850 and asctime dates, as RFC 9110 asks recipients to, and is
        // pure (no global state, no I/O), so it needs no curl_global_init.
        let epochSeconds = curl_getdate(value, nil)
        guard epochSeconds != -1 else { return nil }
        self = .date(Date(timeIntervalSince1970: TimeInterval(epochSeconds)))
    }

    /// How long to wait from `now`; a date in the past means "now", never a negative delay.
    public func delay(from now: Date = Date()) -> Duration {
        switch self {
        case .seconds(let seconds):
            return .seconds(seconds)
        case .date(let date):
            let interval = date.timeIntervalSince(now)
            return interval > 0 ? .seconds(interval) : .zero
        }
    }
}
