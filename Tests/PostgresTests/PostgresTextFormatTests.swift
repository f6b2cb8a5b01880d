import Foundation
import Testing

@testable import Postgres

/// The text formats the wrapper parses itself, tested without a server.
@Suite("Text formats")
struct PostgresTextFormatTests {
    @Test(
        "array text parses quoting, escapes and NULL",
        arguments: [
            ("{}", []),
            ("{1,2,3}", ["1", "2", "3"]),
            (#"{"a b","c\"d","e\\f",NULL,"NULL"}"#, ["a b", "c\"d", "e\\f", nil, "NULL"]),
            ("[0:1]={7,8}", ["7", "8"]),
        ] as [(String, [String?])])
    func parseArray(text: String, expected: [String?]) throws {
        #expect(try PostgresArrayText.parse(text) == expected)
    }

    @Test("array text round-trips awkward strings")
    func arrayRoundTrip() throws {
        let values: [String?] = ["", ",", "{", "}", "\"", "\\", "NULL", " x ", "é", nil, "é\"ü\\ß", "\u{1F600}\"", "a\\\"b"]
        #expect(try PostgresArrayText.parse(PostgresArrayText.render(values)) == values)
        #expect(PostgresArrayText.render(["a\"b", nil, "c\\"]) == #"{"a\"b",NULL,"c\\"}"#)
    }

    @Test("malformed arrays are rejected", arguments: ["1,2", "{1,2", "{\"a}", "{{1},{2}}", "{1,}"])
    func malformedArray(text: String) {
        #expect(throws: PostgresDecodingFailure.self) { try PostgresArrayText.parse(text) }
    }

    @Test(
        "timestamps parse in every form the server prints",
        arguments: [
            ("1970-01-01 00:00:00+00", 0),
            ("2023-11-14 22:13:20.123456+00", 1_700_000_000_123_456),
            ("2023-11-14 23:13:20.5+01", 1_700_000_000_500_000),
            ("2023-11-14 16:43:20-05:30", 1_700_000_000_000_000),
            ("1969-12-31 23:59:59.999999+00", -1),
            ("2000-02-29", 951_782_400_000_000),
            ("0001-01-01 00:00:00+00 BC", -62_167_219_200_000_000),
        ] as [(String, Int64)])
    func parseTimestamp(text: String, micros: Int64) {
        #expect(PostgresTimestamp.parse(text) == micros)
    }

    @Test("timestamps render and parse back", arguments: [0, -1, 1_700_000_000_123_456, -62_167_219_200_000_001] as [Int64])
    func timestampRoundTrip(micros: Int64) {
        #expect(PostgresTimestamp.parse(PostgresTimestamp.render(microsecondsSince1970: micros)) == micros)
    }

    @Test("malformed timestamps are rejected", arguments: ["2023-13-01", "2023-01-01 25:00", "yesterday", "2023-01-01 00:00:00+0"])
    func malformedTimestamp(text: String) {
        #expect(PostgresTimestamp.parse(text) == nil)
    }
}
