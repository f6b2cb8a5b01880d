/// An error from the PostgreSQL wrapper: a stable `kind`, the server's SQLSTATE when there is one, and the
/// server's diagnostic fields.
///
/// `description` carries the kind, SQLSTATE, primary message and constraint name. It never carries the
/// connection password, and it leaves out `detail`, which PostgreSQL fills with row values
/// (`Key (email)=(…) already exists`) that may be personal data; read `detail` explicitly where that is safe.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable classification of the failure.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The configuration or URL is invalid; nothing was attempted.
        public static let configuration = Kind("configuration")
        /// The connection could not be established or was lost. The statement may or may not have run;
        /// the next call on the connection reconnects.
        public static let connection = Kind("connection")
        /// The server rejected the statement; the connection is still usable.
        public static let query = Kind("query")
        /// A result value could not be decoded into the requested Swift type.
        public static let decoding = Kind("decoding")
        /// A parameter could not be encoded (for example a string with a NUL byte).
        public static let encoding = Kind("encoding")
        /// The connection was closed by `close()` and cannot be used any more.
        public static let closed = Kind("closed")
        /// The API was used in a way it does not support (a programming error).
        public static let misuse = Kind("misuse")

        public var description: String { rawValue }
    }

    /// A five-character SQLSTATE code, with constants for the ones callers commonly branch on.
    public struct SQLState: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
        CustomStringConvertible
    {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }

        /// The two-character class, such as `23` for integrity constraint violations.
        public var errorClass: Substring { rawValue.prefix(2) }

        public static let uniqueViolation: SQLState = "23505"
        public static let foreignKeyViolation: SQLState = "23503"
        public static let notNullViolation: SQLState = "23502"
        public static let checkViolation: SQLState = "23514"
        public static let exclusionViolation: SQLState = "23P01"
        public static let undefinedTable: SQLState = "42P01"
        public static let undefinedColumn: SQLState = "42703"
        public static let syntaxError: SQLState = "42601"
        public static let invalidTextRepresentation: SQLState = "22P02"
        public static let serializationFailure: SQLState = "40001"
        public static let deadlockDetected: SQLState = "40P01"
        public static let lockNotAvailable: SQLState = "55P03"
        public static let queryCanceled: SQLState = "57014"
        public static let adminShutdown: SQLState = "57P01"
        public static let cannotConnectNow: SQLState = "57P03"
        public static let invalidSQLStatementName: SQLState = "26000"
        public static let invalidCatalogName: SQLState = "3D000"
    }

    public var kind: Kind
    public var sqlState: SQLState?
    /// The primary, human-readable message.
    public var message: String
    /// The server's DETAIL field; may contain row values, so it is not part of `description`.
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var schema: String?
    public var table: String?
    public var column: String?

    public init(
        kind: Kind, message: String, sqlState: SQLState? = nil, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, schema: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.schema = schema
        self.table = table
        self.column = column
    }

    /// Whether retrying on a fresh or reconnected connection can help.
    public var isConnectionError: Bool { kind == .connection }

    public var description: String {
        var text = "postgres \(kind) error"
        if let sqlState { text += " \(sqlState)" }
        text += ": \(message)"
        if let constraint { text += " (constraint \(constraint))" }
        if let hint { text += " hint: \(hint)" }
        return text
    }
}
