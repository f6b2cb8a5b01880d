import ArgumentParser
import Logging
import Postgres

extension ConfigOptions {
    /// The database URL of the resolved settings; a usage error when none is configured.
    static func requireDatabase(_ url: String?) throws -> String {
        guard let url else { throw ValidationError("no database: set --database-url, DATABASE_URL or database.url") }
        return url
    }

    /// Opens a connection to the configured database for `body`, and closes it afterwards.
    func withDatabase<T: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let url = try Self.requireDatabase(try settings().databaseURL)
        return try await PostgresConnection.withConnection(configuration: .init(url: url), logger: logger) {
            try await body($0)
        }
    }
}
