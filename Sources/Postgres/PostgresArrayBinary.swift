/// PostgreSQL's binary form of a one-dimensional array parameter, as the server's `array_recv` reads it: the
/// number of dimensions, a has-NULL flag, the element type's OID, the length and lower bound (1) of the one
/// dimension, then each element as a 32-bit length (-1: NULL) and its bytes in the element type's binary form.
///
/// The batched statements (`unnest($1::bigint[], $2::text[], …)`) bind thousands of elements at a time; in this
/// form the client formats no numbers and quotes no text, and the server parses none (docs/benchmarks.md,
/// "Array parameters in binary").
public struct PostgresArrayBinary: Sendable {
    /// The array's bytes so far.
    public private(set) var bytes: [UInt8] = []

    /// Starts an array of `count` elements of `elementType`, reserving `elementSize` bytes for each.
    init(elementType: PostgresDataType, count: Int, elementSize: Int) {
        bytes.reserveCapacity(20 + count * (4 + elementSize))
        if count == 0 {
            // No dimensions: the empty array (array_recv still checks the element type).
            appendWord(0)
            appendWord(0)
            appendWord(elementType.rawValue)
        } else {
            appendWord(1)
            appendWord(0)
            appendWord(elementType.rawValue)
            appendWord(UInt32(count))
            appendWord(1)
        }
    }

    /// Appends a NULL element and sets the has-NULL flag.
    public mutating func appendNull() {
        appendWord(UInt32(bitPattern: -1))
        bytes[7] = 1
    }

    /// Appends an element of `size` bytes (1, 2, 4 or 8): the low `size` bytes of `value`, most significant first.
    public mutating func appendElement(bigEndian value: UInt64, size: Int) {
        appendWord(UInt32(size))
        var shift = (size - 1) * 8
        while shift >= 0 {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }

    /// Appends an element whose binary form is its bytes as they are (text: its UTF-8).
    public mutating func appendElement(_ element: UnsafeBufferPointer<UInt8>) {
        appendWord(UInt32(element.count))
        bytes.append(contentsOf: element)
    }

    private mutating func appendWord(_ word: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: word >> 24))
        bytes.append(UInt8(truncatingIfNeeded: word >> 16))
        bytes.append(UInt8(truncatingIfNeeded: word >> 8))
        bytes.append(UInt8(truncatingIfNeeded: word))
    }
}
