import Logging

extension Logger {
    /// The default for callers that inject no logger: libraries never create real ones.
    static let postgresNoop = Logger(label: "leadflow.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// Metadata keys the wrapper logs, declared once so they stay consistent.
enum PostgresLogKey {
    static let connection = "postgres.connection"
    static let backendPID = "postgres.backend_pid"
    static let sqlState = "postgres.sqlstate"
    static let statement = "postgres.statement"
    static let channel = "postgres.channel"
    static let url = "postgres.url"
}
