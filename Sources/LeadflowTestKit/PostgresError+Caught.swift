import Postgres

extension PostgresError {
    /// The `PostgresError` an operation throws, or `nil` when it succeeds or throws another error, for tests
    /// that assert on the error's kind, SQLSTATE or text.
    public static func caught(from operation: () async throws -> Void) async -> PostgresError? {
        do {
            try await operation()
            return nil
        } catch {
            return error as? PostgresError
        }
    }
}
