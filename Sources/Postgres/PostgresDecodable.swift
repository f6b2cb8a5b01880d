/// A Swift value that can be decoded from the text form of a result column.
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value of the column type `type`; throw `PostgresDecodingFailure` when the type or
    /// the text does not fit.
    init(postgresText text: String, type: PostgresDataType) throws

    /// The value that stands for SQL NULL; the default throws, so that only `Optional` accepts NULL.
    static func postgresNull() throws -> Self
}

extension PostgresDecodable {
    public static func postgresNull() throws -> Self {
        throw PostgresDecodingFailure.unexpectedNull
    }
}

/// Why one value could not be decoded; `PostgresRow` wraps it in a `PostgresError` that names the column.
public struct PostgresDecodingFailure: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }

    public static let unexpectedNull = PostgresDecodingFailure(
        reason: "the value is NULL; decode an Optional to accept NULL")

    public static func typeMismatch(_ type: PostgresDataType) -> PostgresDecodingFailure {
        PostgresDecodingFailure(reason: "the column type \(type) does not match")
    }

    /// For values whose text does not parse; the text itself is left out because it may be personal data.
    public static func invalidValue(_ what: String) -> PostgresDecodingFailure {
        PostgresDecodingFailure(reason: "the value is not a valid \(what)")
    }
}
