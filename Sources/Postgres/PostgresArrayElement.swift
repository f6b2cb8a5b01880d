/// A type whose Swift arrays map to a PostgreSQL array type, such as `[Int]` to `bigint[]`, so that a whole
/// batch binds as one parameter (`WHERE id = ANY($1)`, `unnest($1::bigint[])`).
///
/// `UInt8` is the exception that keeps `[UInt8]` meaning `bytea` rather than an array of small integers.
public protocol PostgresArrayElement: Sendable {
    /// The array type, such as `.int8Array` for `Int`.
    static var postgresArrayDataType: PostgresDataType { get }
    /// The text form of a whole array of this element.
    static func postgresArrayText(_ elements: [Self]) -> String
    /// Decodes the text form of a whole array column of type `type`.
    static func postgresArray(text: String, type: PostgresDataType) throws -> [Self]

    /// The bytes an element of this type takes in binary form (at least: text reserves a guess); `nil` (the
    /// default): arrays of it go as text. The element type they announce is the element type of
    /// ``postgresArrayDataType``, so the two cannot disagree.
    static var postgresBinaryElementSize: Int? { get }
    /// Appends this element to an array in binary form, in the format of the element type of
    /// ``postgresArrayDataType``; `false` when this value has none (the whole array then goes as text). Only
    /// called when ``postgresBinaryElementSize`` is not `nil`.
    func appendPostgresBinary(to array: inout PostgresArrayBinary) -> Bool
}

extension PostgresArrayElement {
    public static var postgresBinaryElementSize: Int? { nil }

    public func appendPostgresBinary(to array: inout PostgresArrayBinary) -> Bool { false }

    /// The whole array in binary form, or `nil` to send it as text.
    static func postgresArrayBinary(_ elements: [Self]) -> [UInt8]? {
        guard let size = postgresBinaryElementSize, let type = PostgresArrayText.elementType(of: postgresArrayDataType)
        else { return nil }
        var array = PostgresArrayBinary(elementType: type, count: elements.count, elementSize: size)
        for element in elements {
            guard element.appendPostgresBinary(to: &array) else { return nil }
        }
        return array.bytes
    }
}

extension PostgresArrayElement where Self: PostgresEncodable & PostgresDecodable {
    public static func postgresArrayText(_ elements: [Self]) -> String {
        PostgresArrayText.render(elements.map { $0.postgresText })
    }

    public static func postgresArray(text: String, type: PostgresDataType) throws -> [Self] {
        guard let elementType = PostgresArrayText.elementType(of: type) else {
            throw PostgresDecodingFailure.typeMismatch(type)
        }
        return try PostgresArrayText.parse(text).map { element in
            guard let element else {
                throw PostgresDecodingFailure(reason: "the array contains NULL")
            }
            return try Self(postgresText: element, type: elementType)
        }
    }
}

extension UInt8: PostgresArrayElement {
    public static var postgresArrayDataType: PostgresDataType { .bytea }

    public static func postgresArrayText(_ elements: [UInt8]) -> String {
        let digits = Hex.lowercaseDigits
        var bytes: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        bytes.reserveCapacity(2 + elements.count * 2)
        for byte in elements {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func postgresArray(text: String, type: PostgresDataType) throws -> [UInt8] {
        guard type == .bytea else { throw PostgresDecodingFailure.typeMismatch(type) }
        // The session sets bytea_output = hex, so the escape format never arrives.
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0, utf8.starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "x")]) else {
            throw PostgresDecodingFailure.invalidValue("hex bytea")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2 - 1)
        var index = 2
        while index < utf8.count {
            guard let high = Hex.value(of: utf8[index]), let low = Hex.value(of: utf8[index + 1]) else {
                throw PostgresDecodingFailure.invalidValue("hex bytea")
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresDataType: PostgresDataType { Element.postgresArrayDataType }
    public var postgresText: String? { Element.postgresArrayText(self) }
    public var postgresBinary: [UInt8]? { Element.postgresArrayBinary(self) }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public init(postgresText text: String, type: PostgresDataType) throws {
        self = try Element.postgresArray(text: text, type: type)
    }
}
