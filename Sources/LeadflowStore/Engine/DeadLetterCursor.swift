import Foundation

/// Where a listing of dead letters (newest death first) goes on: after the action that died at `completedAt`
/// with `id`. Its text form, `<microseconds since 1970>-<id>`, is what `leadflow dlq list --cursor` takes.
public struct DeadLetterCursor: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    public let completedAt: Date
    public let id: Int

    public init(completedAt: Date, id: Int) {
        self.completedAt = completedAt
        self.id = id
    }

    /// PostgreSQL keeps microseconds, and a `Date` near now holds them exactly enough to round-trip.
    public var description: String {
        "\(Int64((completedAt.timeIntervalSince1970 * 1_000_000).rounded()))-\(id)"
    }

    public init?(_ description: String) {
        let parts = description.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let micros = Int64(parts[0]), let id = Int(parts[1]), micros >= 0, id > 0 else {
            return nil
        }
        self.init(completedAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000), id: id)
    }
}
