import Foundation

/// The unit of a rule's value and threshold, for summaries humans read.
public enum ValueUnit: String, Sendable, Hashable, Codable {
    /// Seconds, shown as µs, ms, s or min.
    case seconds
    /// A share between 0 and 1, shown as a percentage.
    case share
    /// A plain number.
    case number

    /// `value` written for a summary: `140 ms`, `1.4 s`, `3.2 min`, `7.5 %`, `1200`.
    public func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        switch self {
        case .seconds:
            let magnitude = abs(value)
            if magnitude == 0 { return "0 s" }
            if magnitude < 0.001 { return "\(Self.short(value * 1_000_000)) µs" }
            if magnitude < 1 { return "\(Self.short(value * 1_000)) ms" }
            if magnitude < 120 { return "\(Self.short(value)) s" }
            return "\(Self.short(value / 60)) min"
        case .share:
            return "\(Self.short(value * 100)) %"
        case .number:
            return Self.short(value)
        }
    }

    /// Up to three significant digits, whole numbers without a fraction.
    static func short(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        if abs(value) >= 100 { return String(Int64(value.rounded())) }
        let text = String(format: abs(value) >= 10 ? "%.1f" : (abs(value) >= 1 ? "%.2f" : "%.3g"), value)
        guard text.contains("."), !text.contains("e") else { return text }
        var trimmed = Substring(text)
        while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
