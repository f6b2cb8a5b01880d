/// The brace pairs of a template, found in one pass over its UTF-8 (`{` and `}` are single bytes there, never
/// part of a longer character's encoding): where the next `{{` or `}}` at or after a position is, and how many
/// Unicode scalars come before a position. ``PipelineTemplate/scan(_:)`` only ever asks about positions that
/// move forward, so each question continues where the last one stopped and a template of any length is read
/// in linear time.
struct TemplateBraces {
    private let utf8: [UInt8]
    private var opening: Cursor
    private var closing: Cursor
    /// Scalars before byte `countedBytes`.
    private var countedBytes = 0
    private var countedScalars = 0

    init(_ template: String) {
        utf8 = Array(template.utf8)
        opening = Cursor(brace: UInt8(ascii: "{"))
        closing = Cursor(brace: UInt8(ascii: "}"))
    }

    var count: Int { utf8.count }

    /// The byte offset of the first `{{` starting at or after `position`.
    mutating func opening(from position: Int) -> Int? { opening.next(from: position, in: utf8) }

    /// The byte offset of the first `}}` starting at or after `position`.
    mutating func closing(from position: Int) -> Int? { closing.next(from: position, in: utf8) }

    /// The number of Unicode scalars before byte `position` (a scalar boundary).
    mutating func scalarOffset(of position: Int) -> Int {
        if position < countedBytes { (countedBytes, countedScalars) = (0, 0) }
        while countedBytes < position {
            // Every scalar has exactly one byte that is not a continuation byte (10xxxxxx).
            if utf8[countedBytes] & 0xC0 != 0x80 { countedScalars += 1 }
            countedBytes += 1
        }
        return countedScalars
    }

    /// The next occurrence of one doubled brace, remembered with the position it was looked for from: there is
    /// none between the two, so a later question from a position up to the answer has the same answer, and a
    /// question beyond it reads on from there. Reads each byte once while positions only move forward.
    private struct Cursor {
        let brace: UInt8
        /// The last question's position and answer (`nil`: no doubled brace from there to the end).
        var last: (from: Int, found: Int?)? = nil

        mutating func next(from position: Int, in utf8: [UInt8]) -> Int? {
            if let last, position >= last.from, last.found.map({ position <= $0 }) ?? true { return last.found }
            var index = position
            var found: Int? = nil
            while index + 1 < utf8.count {
                if utf8[index] == brace && utf8[index + 1] == brace {
                    found = index
                    break
                }
                index += 1
            }
            last = (position, found)
            return found
        }
    }
}
