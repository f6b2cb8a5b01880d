import Logging
import Postgres

extension DatabaseOptions {
    /// The URL from the flag or the environment; a readable error when neither is set.
    func required() throws -> String {
        guard let url = resolved else {
            throw CLIError(
                "no database: pass --database-url or set DATABASE_URL (leadflow dev starts a private PostgreSQL)")
        }
        return url
    }

    /// Opens a connection to the database for `body`, and closes it afterwards.
    func withConnection<T: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await PostgresConnection.withConnection(configuration: .init(url: try required()), logger: logger) {
            try await body($0)
        }
    }
}
