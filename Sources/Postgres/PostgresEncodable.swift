/// A Swift value that can be bound as a statement parameter, in PostgreSQL's text format.
///
/// Values travel separately from the SQL text (`$1`, `$2`, …), so they are never interpolated into a statement.
public protocol PostgresEncodable: Sendable {
    /// The parameter type announced to the server; `.unspecified` lets the server infer it from context,
    /// which is what `String` uses so that one value can fill `text`, `varchar`, `jsonb` or enum columns.
    static var postgresDataType: PostgresDataType { get }

    /// The value in PostgreSQL's text input format, or `nil` for SQL NULL.
    var postgresText: String? { get }

    /// The value in the binary format of ``postgresDataType``, sent instead of ``postgresText`` when not `nil`
    /// (the default; arrays of numbers and text have one).
    var postgresBinary: [UInt8]? { get }
}

extension PostgresEncodable {
    public var postgresBinary: [UInt8]? { nil }
}
