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

    public var description: String { CursorText.text(completedAt, id) }

    public init?(_ description: String) {
        guard let (time, id) = CursorText.parse(description) else { return nil }
        self.init(completedAt: time, id: id)
    }
}
