/// PostgreSQL's text form of one-dimensional arrays: `{1,2}`, `{"a b","c\"d",NULL}`.
enum PostgresArrayText {
    static func render(_ elements: [String?]) -> String {
        let (quote, backslash) = (UInt8(ascii: "\""), UInt8(ascii: "\\"))
        // Built as UTF-8 bytes: the statements that batch with unnest send thousands of elements, and appending
        // to a String one scalar at a time was most of what rendering them cost (docs/benchmarks.md).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 + elements.count * 16)
        bytes.append(UInt8(ascii: "{"))
        for (offset, element) in elements.enumerated() {
            if offset > 0 { bytes.append(UInt8(ascii: ",")) }
            guard var element else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            // Quoting every element is always valid and spares deciding which texts need it. A quote or a
            // backslash is one ASCII byte, never part of a longer UTF-8 sequence, so bytes can be escaped alone.
            bytes.append(quote)
            element.withUTF8 { utf8 in
                guard utf8.contains(where: { $0 == quote || $0 == backslash }) else {
                    bytes.append(contentsOf: utf8)
                    return
                }
                for byte in utf8 {
                    if byte == quote || byte == backslash { bytes.append(backslash) }
                    bytes.append(byte)
                }
            }
            bytes.append(quote)
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    static func parse(_ text: String) throws -> [String?] {
        var bytes = Array(text.utf8)[...]
        // Arrays with a lower bound other than 1 carry a `[0:2]=` prefix; the bounds do not matter here.
        if bytes.first == UInt8(ascii: "["), let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
            bytes = bytes[(equals + 1)...]
        }
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else {
            throw PostgresDecodingFailure.invalidValue("array")
        }
        bytes = bytes.dropFirst().dropLast()
        var elements: [String?] = []
        guard !bytes.isEmpty else { return elements }
        var index = bytes.startIndex
        while true {
            var element: [UInt8] = []
            var quoted = false
            if bytes[index] == UInt8(ascii: "{") {
                throw PostgresDecodingFailure(reason: "multi-dimensional arrays are not supported")
            }
            if bytes[index] == UInt8(ascii: "\"") {
                quoted = true
                index += 1
                while true {
                    guard index < bytes.endIndex else { throw PostgresDecodingFailure.invalidValue("array") }
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") {
                        index += 1
                        break
                    }
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                        guard index < bytes.endIndex else { throw PostgresDecodingFailure.invalidValue("array") }
                    }
                    element.append(bytes[index])
                    index += 1
                }
            } else {
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: ",") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    guard index < bytes.endIndex else { throw PostgresDecodingFailure.invalidValue("array") }
                    element.append(bytes[index])
                    index += 1
                }
            }
            let string = String(decoding: element, as: UTF8.self)
            elements.append(!quoted && string.uppercased() == "NULL" ? nil : string)
            guard index < bytes.endIndex else { return elements }
            guard bytes[index] == UInt8(ascii: ",") else { throw PostgresDecodingFailure.invalidValue("array") }
            index += 1
            guard index < bytes.endIndex else { throw PostgresDecodingFailure.invalidValue("array") }
        }
    }

    private static let elementTypes: [PostgresDataType: PostgresDataType] = [
        .boolArray: .bool, .int2Array: .int2, .int4Array: .int4, .int8Array: .int8, .textArray: .text,
        .varcharArray: .varchar, .float8Array: .float8, .uuidArray: .uuid,
        PostgresDataType(rawValue: 1021): .float4, PostgresDataType(rawValue: 1231): .numeric,
        PostgresDataType(rawValue: 1185): .timestamptz, PostgresDataType(rawValue: 3807): .jsonb,
        PostgresDataType(rawValue: 1014): .bpchar, PostgresDataType(rawValue: 1003): .name,
    ]

    /// The element type of a known array type, or `nil` when `type` is not one.
    static func elementType(of type: PostgresDataType) -> PostgresDataType? {
        elementTypes[type]
    }
}
