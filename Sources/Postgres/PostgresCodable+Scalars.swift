extension Bool: PostgresEncodable, PostgresDecodable, PostgresArrayElement {
    public static var postgresDataType: PostgresDataType { .bool }
    public static var postgresArrayDataType: PostgresDataType { .boolArray }
    public var postgresText: String? { self ? "t" : "f" }
    public static var postgresBinaryElementSize: Int? { 1 }

    public func appendPostgresBinary(to array: inout PostgresArrayBinary) -> Bool {
        array.appendElement(bigEndian: self ? 1 : 0, size: 1)
        return true
    }

    public init(postgresText text: String, type: PostgresDataType) throws {
        guard type == .bool else { throw PostgresDecodingFailure.typeMismatch(type) }
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw PostgresDecodingFailure.invalidValue("boolean")
        }
    }
}

/// Integers share one decoder: any integer column fits as long as the value is in range.
protocol PostgresInteger: FixedWidthInteger, PostgresEncodable, PostgresDecodable, PostgresArrayElement {}

extension PostgresInteger {
    public var postgresText: String? { String(self) }

    /// Two's complement, most significant byte first, in the width of the element type the arrays announce
    /// (`Int`, `Int64`: int8; `Int32`: int4; `Int16`: int2), whatever the Swift type's width on the platform.
    public static var postgresBinaryElementSize: Int? {
        switch postgresDataType {
        case .int8: 8
        case .int4: 4
        case .int2: 2
        default: nil
        }
    }

    public func appendPostgresBinary(to array: inout PostgresArrayBinary) -> Bool {
        guard let size = Self.postgresBinaryElementSize else { return false }
        array.appendElement(bigEndian: UInt64(truncatingIfNeeded: Int64(self)), size: size)
        return true
    }

    /// Also accepts `numeric` holding a whole number, which is what `sum(bigint)` returns.
    public init(postgresText text: String, type: PostgresDataType) throws {
        guard type.isInteger || type == .numeric else { throw PostgresDecodingFailure.typeMismatch(type) }
        guard let value = Self(text) else {
            let reason = type == .numeric ? "is not a whole number that fits in" : "does not fit in"
            throw PostgresDecodingFailure(reason: "the value \(reason) \(Self.self)")
        }
        self = value
    }
}

extension Int: PostgresInteger, PostgresArrayElement {
    public static var postgresDataType: PostgresDataType { .int8 }
    public static var postgresArrayDataType: PostgresDataType { .int8Array }
}

extension Int64: PostgresInteger, PostgresArrayElement {
    public static var postgresDataType: PostgresDataType { .int8 }
    public static var postgresArrayDataType: PostgresDataType { .int8Array }
}

extension Int32: PostgresInteger, PostgresArrayElement {
    public static var postgresDataType: PostgresDataType { .int4 }
    public static var postgresArrayDataType: PostgresDataType { .int4Array }
}

extension Int16: PostgresInteger, PostgresArrayElement {
    public static var postgresDataType: PostgresDataType { .int2 }
    public static var postgresArrayDataType: PostgresDataType { .int2Array }
}

extension Double: PostgresEncodable, PostgresDecodable, PostgresArrayElement {
    public static var postgresDataType: PostgresDataType { .float8 }
    public static var postgresArrayDataType: PostgresDataType { .float8Array }

    /// IEEE 754 bits, most significant byte first (NaN and the infinities included).
    public static var postgresBinaryElementSize: Int? { 8 }

    public func appendPostgresBinary(to array: inout PostgresArrayBinary) -> Bool {
        array.appendElement(bigEndian: bitPattern, size: 8)
        return true
    }

    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        // Swift prints the shortest text that reads back as the same Double.
        return description
    }

    public init(postgresText text: String, type: PostgresDataType) throws {
        guard type == .float8 || type == .float4 || type == .numeric || type.isInteger else {
            throw PostgresDecodingFailure.typeMismatch(type)
        }
        switch text {
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        case "NaN": self = .nan
        default:
            guard let value = Double(text) else { throw PostgresDecodingFailure.invalidValue("number") }
            self = value
        }
    }
}

extension String: PostgresEncodable, PostgresDecodable, PostgresArrayElement {
    public static var postgresDataType: PostgresDataType { .unspecified }
    public static var postgresArrayDataType: PostgresDataType { .textArray }
    public var postgresText: String? { self }

    /// Text's binary form is its UTF-8. A text with a NUL byte has none (PostgreSQL text cannot hold one): its
    /// array goes as text, where the NUL is refused by name.
    public static var postgresBinaryElementSize: Int? { 16 }

    public func appendPostgresBinary(to array: inout PostgresArrayBinary) -> Bool {
        var copy = self
        return copy.withUTF8 { utf8 in
            guard !utf8.contains(0) else { return false }
            array.appendElement(utf8)
            return true
        }
    }

    /// Any column decodes as its text representation, which also covers enums, numeric and json.
    public init(postgresText text: String, type: PostgresDataType) throws {
        self = text
    }
}
