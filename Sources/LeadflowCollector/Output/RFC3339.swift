import Foundation

/// Times in the collector's outputs: RFC 3339 in UTC with milliseconds, `2025-06-01T12:00:00.250Z`.
public enum RFC3339 {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    public static func string(_ date: Date) -> String { style.format(date) }

    /// The date `text` names; nil when it is not in this form.
    public static func date(_ text: String) -> Date? { try? style.parse(text) }
}
