import CLibPQ

extension PostgresConnection {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws and rethrows.
    ///
    /// The body is synchronous on purpose: it runs on the connection's thread, so no other caller's statement
    /// can slip into the transaction, and it cannot hold the transaction open across unrelated awaits. Nested
    /// calls use savepoints. If the connection is lost, the error is a `.connection` error and whether a COMMIT
    /// took effect is unknown; the next call outside the transaction reconnects.
    public func withTransaction<T: Sendable>(
        _ body: @Sendable (isolated PostgresConnection) throws -> T
    ) throws -> T {
        let depth = transactionDepth
        let savepoint = "leadflow_savepoint_\(depth)"
        try executeScript(depth == 0 ? "BEGIN" : "SAVEPOINT \(savepoint)")
        transactionDepth += 1
        // The depth stays raised until COMMIT or ROLLBACK has run, so a connection lost in between is reported
        // instead of being replaced by a fresh session that would "commit" nothing.
        defer { transactionDepth -= 1 }
        let value: T
        do {
            value = try body(self)
        } catch {
            rollback(to: depth == 0 ? nil : savepoint)
            throw error
        }
        try executeScript(depth == 0 ? "COMMIT" : "RELEASE SAVEPOINT \(savepoint)")
        return value
    }

    private func rollback(to savepoint: String?) {
        do {
            if let savepoint {
                try executeScript("ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)")
            } else {
                try executeScript("ROLLBACK")
            }
        } catch {
            // The body's error is the one worth reporting; a lost connection is noticed on the next call.
            logger.debug("rollback failed", metadata: ["postgres.error": "\(error)"])
        }
    }
}
