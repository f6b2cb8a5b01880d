#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension UUID: PostgresEncodable, PostgresDecodable, PostgresArrayElement {
    public static var postgresDataType: PostgresDataType { .uuid }
    public static var postgresArrayDataType: PostgresDataType { .uuidArray }
    public var postgresText: String? { uuidString.lowercased() }

    public init(postgresText text: String, type: PostgresDataType) throws {
        guard type == .uuid || type.isString else { throw PostgresDecodingFailure.typeMismatch(type) }
        guard let uuid = UUID(uuidString: text) else { throw PostgresDecodingFailure.invalidValue("UUID") }
        self = uuid
    }
}

/// `timestamptz` with microsecond precision, which is all PostgreSQL stores.
extension Date: PostgresEncodable, PostgresDecodable {
    public static var postgresDataType: PostgresDataType { .timestamptz }

    public var postgresText: String? {
        PostgresTimestamp.render(microsecondsSince1970: Int64((timeIntervalSince1970 * 1_000_000).rounded()))
    }

    /// Accepts `timestamptz`, `timestamp` (read as UTC) and `date` (midnight UTC) columns.
    public init(postgresText text: String, type: PostgresDataType) throws {
        guard type == .timestamptz || type == .timestamp || type == .date else {
            throw PostgresDecodingFailure.typeMismatch(type)
        }
        switch text {
        case "infinity": self = .distantFuture
        case "-infinity": self = .distantPast
        default:
            guard let micros = PostgresTimestamp.parse(text) else {
                throw PostgresDecodingFailure.invalidValue("ISO timestamp")
            }
            self = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
        }
    }
}

/// A `jsonb` value carried as JSON text, so documents bind without a `::jsonb` cast.
public struct PostgresJSON: PostgresEncodable, PostgresDecodable, Hashable, Sendable, CustomStringConvertible {
    /// The JSON text; the server validates it when it is bound.
    public var text: String

    public init(_ text: String) {
        self.text = text
    }

    /// Encodes `value` with `JSONEncoder` (sorted keys, so equal values compare equal as text).
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the JSON text into `type`.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    public static var postgresDataType: PostgresDataType { .jsonb }
    public var postgresText: String? { text }

    public init(postgresText text: String, type: PostgresDataType) throws {
        guard type == .jsonb || type == .json || type.isString else { throw PostgresDecodingFailure.typeMismatch(type) }
        self.text = text
    }

    public var description: String { text }
}
