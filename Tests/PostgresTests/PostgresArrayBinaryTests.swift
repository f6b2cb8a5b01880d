import Foundation
import Testing

@testable import Postgres

/// The binary form of array parameters, byte by byte, without a server: the round trips through the server
/// (PostgresCodableTests) would pass just as well if every array quietly went as text.
@Suite("Binary array parameters")
struct PostgresArrayBinaryTests {
    /// A big-endian 32-bit word.
    static func word(_ value: Int32) -> [UInt8] {
        let bits = UInt32(bitPattern: value)
        return [UInt8(bits >> 24), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits & 0xFF)]
    }

    /// ndim 1, the has-NULL flag, the element type, the length and lower bound 1.
    static func header(element: UInt32, count: Int32, hasNull: Bool) -> [UInt8] {
        word(1) + word(hasNull ? 1 : 0) + word(Int32(element)) + word(count) + word(1)
    }

    @Test("integers go as int8, int4 and int2 elements, two's complement, most significant byte first")
    func integers() {
        #expect([1, -2].postgresBinary == Self.header(element: 20, count: 2, hasNull: false)
            + Self.word(8) + [0, 0, 0, 0, 0, 0, 0, 1] + Self.word(8) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE])
        #expect([Int32(258)].postgresBinary == Self.header(element: 23, count: 1, hasNull: false) + Self.word(4) + [0, 0, 1, 2])
        #expect([Int16(-1)].postgresBinary == Self.header(element: 21, count: 1, hasNull: false) + Self.word(2) + [0xFF, 0xFF])
    }

    @Test("a NULL element is length -1 and sets the has-NULL flag")
    func nulls() {
        #expect(([nil, 7] as [Int?]).postgresBinary == Self.header(element: 20, count: 2, hasNull: true)
            + Self.word(-1) + Self.word(8) + [0, 0, 0, 0, 0, 0, 0, 7])
        #expect(([nil] as [String?]).postgresBinary == Self.header(element: 25, count: 1, hasNull: true) + Self.word(-1))
    }

    @Test("the empty array has no dimension but still names its element type")
    func empty() {
        #expect([Int]().postgresBinary == Self.word(0) + Self.word(0) + Self.word(20))
        #expect([String?]().postgresBinary == Self.word(0) + Self.word(0) + Self.word(25))
    }

    @Test("doubles go as their IEEE bits, booleans as one byte, text as its UTF-8")
    func others() {
        #expect([-0.0].postgresBinary == Self.header(element: 701, count: 1, hasNull: false) + Self.word(8) + [0x80, 0, 0, 0, 0, 0, 0, 0])
        #expect([true, false].postgresBinary == Self.header(element: 16, count: 2, hasNull: false)
            + Self.word(1) + [1] + Self.word(1) + [0])
        #expect(["é\""].postgresBinary == Self.header(element: 25, count: 1, hasNull: false) + Self.word(3) + [0xC3, 0xA9, 0x22])
    }

    @Test("what has no binary form goes as text: a NUL in a text, UUIDs, bytea, scalars")
    func textFallback() throws {
        #expect(["a", "b\u{0}"].postgresBinary == nil)
        #expect([UInt8]([1, 2]).postgresBinary == nil)
        #expect([UUID()].postgresBinary == nil)
        #expect(7.postgresBinary == nil)
        #expect("x".postgresBinary == nil)
        let values = try PostgresParameterValues([[1, 2], "x", Optional<Int>.none, ["a"]])
        values.withUnsafeParameters { pointers, lengths, formats in
            #expect(formats == [1, 0, 0, 1])
            #expect(lengths[0] == 20 + 2 * 12 && lengths[3] == 20 + 4 + 1)
            #expect(pointers[2] == nil)
            #expect(pointers[1].map { String(cString: $0) } == "x")
        }
        let asText = try PostgresParameterValues([[1, 2]], binary: false)
        asText.withUnsafeParameters { pointers, _, formats in
            #expect(formats == [0])
            #expect(pointers[0].map { String(cString: $0) } == "{\"1\",\"2\"}")
        }
    }
}
