import Foundation
import LeadflowTestKit
import Postgres
import Testing

/// One value sent as a parameter, compared on the server with a literal of the expected value, and decoded back.
struct RoundTrip: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let run: @Sendable (PostgresConnection) async throws -> Void

    /// `literal` is SQL for the same value, so an encoder and decoder that are wrong in the same way still fail.
    static func of<T: PostgresEncodable & PostgresDecodable & Equatable>(
        _ value: T, _ sqlType: String, literal: String
    ) -> RoundTrip {
        RoundTrip(testDescription: "\(T.self) as \(sqlType): \(literal.prefix(40))") { connection in
            let row = try await connection.query(
                "SELECT $1::\(sqlType), $1::\(sqlType) IS NOT DISTINCT FROM (\(literal))::\(sqlType)", [value])[0]
            #expect(try row.decode(T.self, at: 0) == value)
            #expect(try row.decode(Bool.self, at: 1), "the server read a different value than \(literal)")
        }
    }
}

@Suite("Type mapping")
struct PostgresCodableTests {
    static let uuid = UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!

    static let roundTrips: [RoundTrip] = [
        .of(true, "boolean", literal: "true"),
        .of(false, "boolean", literal: "false"),
        .of(0, "bigint", literal: "0"),
        .of(-42, "bigint", literal: "-42"),
        .of(Int.max, "bigint", literal: "9223372036854775807"),
        .of(Int.min, "bigint", literal: "-9223372036854775808"),
        .of(Int32.max, "integer", literal: "2147483647"),
        .of(Int32.min, "integer", literal: "-2147483648"),
        .of(Int16.min, "smallint", literal: "-32768"),
        .of(Int16(7), "smallint", literal: "7"),
        .of(3.141592653589793, "double precision", literal: "3.141592653589793"),
        .of(0.1, "double precision", literal: "0.1"),
        .of(-1e-300, "double precision", literal: "-1e-300"),
        .of(Double.infinity, "double precision", literal: "'Infinity'"),
        .of(-Double.infinity, "double precision", literal: "'-Infinity'"),
        .of("", "text", literal: "''"),
        .of("héllo wörld 🌍", "text", literal: "'héllo wörld 🌍'"),
        .of("it's \"quoted\" \\ back\nslash", "text", literal: "E'it\\'s \"quoted\" \\\\ back\\nslash'"),
        .of([UInt8](), "bytea", literal: "'\\x'"),
        .of([0, 1, 0x7F, 0xFF] as [UInt8], "bytea", literal: "'\\x00017fff'"),
        .of(Date(timeIntervalSince1970: 0), "timestamptz", literal: "'1970-01-01 00:00:00+00'"),
        .of(Date(timeIntervalSince1970: 1_700_000_000.123456), "timestamptz", literal: "'2023-11-14 22:13:20.123456+00'"),
        .of(Date(timeIntervalSince1970: -0.5), "timestamptz", literal: "'1969-12-31 23:59:59.5+00'"),
        .of(Date(timeIntervalSince1970: 32_503_680_000), "timestamptz", literal: "'3000-01-01 00:00:00+00'"),
        .of(uuid, "uuid", literal: "'6f9619ff-8b86-d011-b42d-00c04fc964ff'"),
        .of([Int](), "bigint[]", literal: "'{}'"),
        .of([1, -2, Int.max], "bigint[]", literal: "ARRAY[1, -2, 9223372036854775807]"),
        .of([Int32(1), 2], "integer[]", literal: "ARRAY[1, 2]"),
        .of(["a", "b,c", "\"q\"", "NULL", "back\\slash", " sp ", ""], "text[]",
            literal: "ARRAY['a', 'b,c', '\"q\"', 'NULL', 'back\\slash', ' sp ', '']"),
        .of([uuid, UUID(uuidString: "00000000-0000-0000-0000-000000000001")!], "uuid[]",
            literal: "ARRAY['6f9619ff-8b86-d011-b42d-00c04fc964ff', '00000000-0000-0000-0000-000000000001']::uuid[]"),
        .of([true, false], "boolean[]", literal: "ARRAY[true, false]"),
        .of([1.5, -0.25], "double precision[]", literal: "ARRAY[1.5, -0.25]"),
        .of(Optional<Int>.none, "bigint", literal: "NULL"),
        .of(Optional(5), "bigint", literal: "5"),
        .of(Optional<String>.none, "text", literal: "NULL"),
        .of(["a", nil, "NULL"] as [String?], "text[]", literal: "ARRAY['a', NULL, 'NULL']"),
        .of([nil, 7] as [Int?], "bigint[]", literal: "ARRAY[NULL, 7]::bigint[]"),
        .of(PostgresJSON(#"{"a": [1, 2], "b": null}"#), "jsonb", literal: #"'{"b": null, "a": [1, 2]}'"#),
        // Arrays of numbers, booleans and text go in binary form (PostgresArrayBinary; its bytes are checked in
        // PostgresArrayBinaryTests): every width's extremes, NULL elements, the empty array, and text the text
        // form would have had to quote.
        .of([Int.min, -1, 0, 1, Int.max], "bigint[]", literal: "ARRAY[-9223372036854775808, -1, 0, 1, 9223372036854775807]"),
        .of([Int64.min, Int64(256)], "bigint[]", literal: "ARRAY[-9223372036854775808, 256]"),
        .of([Int32.min, -1, Int32.max], "integer[]", literal: "ARRAY[-2147483648, -1, 2147483647]"),
        .of([Int16.min, -1, Int16.max], "smallint[]", literal: "ARRAY[-32768, -1, 32767]::smallint[]"),
        .of([1, 2_147_483_647], "integer[]", literal: "ARRAY[1, 2147483647]"),
        .of([-0.0, 1e-300, -Double.infinity, Double.greatestFiniteMagnitude, 0.1], "double precision[]",
            literal: "ARRAY[-0.0, 1e-300, '-Infinity', 1.7976931348623157e308, 0.1]::float8[]"),
        .of([nil, 2.5] as [Double?], "double precision[]", literal: "ARRAY[NULL, 2.5]::float8[]"),
        .of([true, nil, false] as [Bool?], "boolean[]", literal: "ARRAY[true, NULL, false]"),
        .of([nil, nil] as [Int?], "bigint[]", literal: "ARRAY[NULL, NULL]::bigint[]"),
        .of([Int?](), "bigint[]", literal: "'{}'"),
        .of([String](), "text[]", literal: "'{}'"),
        .of(["héllo 🌍", "{a,b}", "\\\"", "x\u{2028}y", "line\nbreak"], "text[]",
            literal: "ARRAY['héllo 🌍', '{a,b}', '\\\"', E'x\\u2028y', E'line\\nbreak']"),
        .of([String(repeating: "é", count: 40_000)], "text[]", literal: "ARRAY[repeat('é', 40000)]"),
        .of(["a", nil] as [String?], "varchar[]", literal: "ARRAY['a', NULL]::varchar[]"),
    ]

    @Test("each supported type round-trips through the server", arguments: roundTrips)
    func roundTrip(_ roundTrip: RoundTrip) async throws {
        try await withTestConnection { connection in try await roundTrip.run(connection) }
    }

    @Test("NaN round-trips")
    func notANumber() async throws {
        try await withTestConnection { connection in
            let value = try await connection.query("SELECT $1::float8", [Double.nan]).scalar(Double.self)
            #expect(value?.isNaN == true)
        }
    }

    @Test("columns decode by name, as tuples, and with wider Swift types")
    func decodingForms() async throws {
        try await withTestConnection { connection in
            let rows = try await connection.query(
                """
                SELECT 7::int AS small, 'x'::varchar AS name, NULL::text AS nothing, 2.5::real AS real,
                       sum(x) AS total
                FROM unnest($1::bigint[]) x
                """,
                [[Int.max, -Int.max]])
            let row = rows[0]
            #expect(try row.decode(Int.self, column: "total") == 0)
            #expect(rows.columns.map(\.name) == ["small", "name", "nothing", "real", "total"])
            #expect(try row.decode(Int.self, column: "small") == 7)
            #expect(try row.decode(String?.self, column: "nothing") == nil)
            #expect(row.isNull(at: 2))
            #expect(try row.decode(Double.self, column: "real") == 2.5)
            let (small, name, nothing) = try row.decode((Int32, String, String?).self)
            #expect(small == 7 && name == "x" && nothing == nil)
        }
    }

    @Test("a JSON document encodes from and decodes to Codable types")
    func json() async throws {
        struct Attributes: Codable, Equatable {
            var plan: String
            var seats: Int
        }
        try await withTestConnection { connection in
            let value = Attributes(plan: "pro", seats: 3)
            let row = try await connection.query(
                "SELECT $1, $1->>'plan', jsonb_typeof($1)", [try PostgresJSON(encoding: value)])[0]
            #expect(try row.decode(PostgresJSON.self, at: 0).decode(Attributes.self) == value)
            #expect(try row.decode(String.self, at: 1) == "pro")
            #expect(try row.decode(String.self, at: 2) == "object")
        }
    }

    @Test("parameters and NULLs bind as values, never as SQL")
    func parametersAndNulls() async throws {
        try await withTestConnection { connection in
            let row = try await connection.query(
                "SELECT $1::text IS NULL, $2::bigint IS NULL, $3::text, $4::text = 'x''); DROP TABLE y; --'",
                [String?.none, Int?.none, "Robert'); DROP TABLE students;--", "x'); DROP TABLE y; --"])[0]
            #expect(try row.decode((Bool, Bool, String, Bool).self) == (true, true, "Robert'); DROP TABLE students;--", true))
        }
    }

    @Test("a string with a NUL byte is refused before it reaches the server")
    func nulByte() async throws {
        try await withTestConnection { connection in
            let error = await PostgresError.caught { _ = try await connection.query("SELECT $1::text", ["a\u{0}b"]) }
            #expect(error?.kind == .encoding)
            let stillUsable = try await connection.query("SELECT 1").scalar(Int.self)
            #expect(stillUsable == 1)
        }
    }

    @Test("negative zero keeps its sign, which equality cannot see")
    func negativeZero() async throws {
        try await withTestConnection { connection in
            let text = try await connection.query("SELECT $1::float8[]::text", [[-0.0, 0.0]]).scalar(String.self)
            #expect(text == "{-0,0}")
        }
    }

    @Test("an array element with a NUL byte is refused before it reaches the server, naming the parameter")
    func nulByteInArray() async throws {
        try await withTestConnection { connection in
            let error = await PostgresError.caught {
                _ = try await connection.query("SELECT $1::bigint, $2::text[]", [1, ["fine", "a\u{0}b"]])
            }
            #expect(error?.kind == .encoding)
            #expect(error?.message.contains("parameter $2") == true)
            let stillUsable = try await connection.query("SELECT cardinality($1::text[])", [["a", "b"]]).scalar(Int.self)
            #expect(stillUsable == 2)
        }
    }

    @Test("a binary array the statement narrows is checked by the server like text: out of range is its error")
    func narrowedArray() async throws {
        try await withTestConnection { connection in
            let fits = try await connection.query("SELECT sum(x)::bigint FROM unnest($1::int[]) AS x", [[1, 2, 3]])
            #expect(try fits.scalar(Int.self) == 6)
            let error = await PostgresError.caught {
                _ = try await connection.query("SELECT $1::int[]", [[1, 3_000_000_000]])
            }
            #expect(error?.sqlState == "22003")
        }
    }

    @Test("a prepared statement called with other array types than it was prepared with still reads them right")
    func preparedWithOtherTypes() async throws {
        try await withTestConnection { connection in
            let statement = PostgresStatement(name: "codable_sum", sql: "SELECT sum(x)::bigint FROM unnest($1::bigint[]) AS x")
            let asPrepared = try await connection.query(statement, [[1, 2]]).scalar(Int.self)
            let narrower = try await connection.query(statement, [[Int32(4), 5]]).scalar(Int.self)
            let withNull = try await connection.query(statement, [[Int16(-1), nil] as [Int16?]]).scalar(Int.self)
            #expect(asPrepared == 3)
            #expect(narrower == 9)
            #expect(withNull == -1)
        }
    }

    @Test("arrays batch with = ANY($1) and unnest")
    func arrays() async throws {
        try await withTestConnection { connection in
            try await connection.execute("CREATE TEMP TABLE items (id bigint PRIMARY KEY, name text, ref uuid)")
            let ids = Array(1...100)
            let names = ids.map { "item \($0)" }
            let refs = ids.map { _ in UUID() }
            let inserted = try await connection.execute(
                "INSERT INTO items SELECT * FROM unnest($1::bigint[], $2::text[], $3::uuid[])", [ids, names, refs])
            #expect(inserted == 100)
            let selected = try await connection.query(
                "SELECT name FROM items WHERE id = ANY($1) ORDER BY id", [[3, 50, 1000]])
            #expect(try selected.map { try $0.decode(String.self, at: 0) } == ["item 3", "item 50"])
            let byRef = try await connection.query("SELECT id FROM items WHERE ref = ANY($1)", [[refs[9]]])
            #expect(try byRef.scalar(Int.self) == 10)
            let aggregated = try await connection.query(
                "SELECT array_agg(id ORDER BY id), array_agg(name ORDER BY id) FROM items WHERE id <= 3")[0]
            #expect(try aggregated.decode([Int].self, at: 0) == [1, 2, 3])
            #expect(try aggregated.decode([String].self, at: 1) == ["item 1", "item 2", "item 3"])
        }
    }

    @Test(
        "decoding failures say which column and why, without the value",
        arguments: [
            ("SELECT 'secret-value'::text AS c", "type text", "Int"),
            ("SELECT NULL::int AS c", "NULL", "Int"),
            ("SELECT 100000::int AS c", "does not fit", "Int16"),
            ("SELECT 1.5::numeric AS c", "not a whole number", "Int"),
            ("SELECT 'secret-value'::text AS c", "not a valid UUID", "UUID"),
            ("SELECT ARRAY[1, NULL]::bigint[] AS c", "NULL", "Array<Int>"),
        ])
    func decodingFailures(sql: String, reason: String, type: String) async throws {
        try await withTestConnection { connection in
            let row = try await connection.query(sql)[0]
            let error = await PostgresError.caught {
                switch type {
                case "Int": _ = try row.decode(Int.self, at: 0)
                case "Int16": _ = try row.decode(Int16.self, at: 0)
                case "UUID": _ = try row.decode(UUID.self, at: 0)
                default: _ = try row.decode([Int].self, at: 0)
                }
            }
            #expect(error?.kind == .decoding)
            #expect(error?.message.contains("'c'") == true)
            #expect(error?.message.contains(reason) == true, "\(String(describing: error))")
            #expect(error?.message.contains("secret-value") == false)
        }
    }

    @Test("an unknown column name is a decoding error listing the columns")
    func unknownColumn() async throws {
        try await withTestConnection { connection in
            let row = try await connection.query("SELECT 1 AS one, 2 AS two")[0]
            let error = await PostgresError.caught { _ = try row.decode(Int.self, column: "three") }
            #expect(error?.kind == .decoding)
            #expect(error?.message.contains("one, two") == true)
        }
    }
}
