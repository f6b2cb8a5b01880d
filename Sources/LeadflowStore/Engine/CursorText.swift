import Foundation

/// The text of a cursor that continues a listing after the row at a time with an id:
/// `<microseconds since 1970>-<id>`, what `next_cursor` and `--cursor` carry.
enum CursorText {
    /// PostgreSQL keeps microseconds, and a `Date` near now holds them exactly enough to round-trip.
    static func text(_ time: Date, _ id: Int) -> String {
        "\(Int64((time.timeIntervalSince1970 * 1_000_000).rounded()))-\(id)"
    }

    /// The time and id of `text`; nil unless it is two non-negative integers, the id positive.
    static func parse(_ text: String) -> (time: Date, id: Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let micros = Int64(parts[0]), let id = Int(parts[1]), micros >= 0, id > 0 else {
            return nil
        }
        return (Date(timeIntervalSince1970: Double(micros) / 1_000_000), id)
    }
}
