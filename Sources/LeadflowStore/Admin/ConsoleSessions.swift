import Foundation
import Postgres

/// The web console's sessions in `console_sessions` (migration 15): opened for an admin token, found by the
/// hash of the cookie's secret together with that token, closed. Making the secret and hashing it is the
/// caller's (`LeadflowAdmin.ConsoleSession`). Every function runs in the caller's transaction.
public enum ConsoleSessions {
    /// Stores a session of `tokenID`, known by `hash`, until `expiresAt`; sessions expired before `now` are
    /// deleted on the way, so the table holds only live ones (and the few that expired since the last login).
    public static func open(
        hash: String, tokenID: Int, expiresAt: Date, now: Date, on connection: isolated PostgresConnection
    ) throws {
        try connection.execute(pruneStatement, [now])
        try connection.execute(openStatement, [hash, tokenID, expiresAt])
    }

    /// The token of the unexpired session known by `hash`, whatever the token's own state (the caller checks
    /// ``AdminToken/isUsable(at:)``), with the session's expiry; nil when there is none.
    public static func find(
        hash: String, at now: Date, on connection: isolated PostgresConnection
    ) throws -> (token: AdminToken, expiresAt: Date)? {
        guard let row = try connection.query(findStatement, [hash, now]).first else { return nil }
        let token = try AdminToken(row: row)
        let expiresAt = try row.decode(Date.self, at: 9)
        return (token, expiresAt)
    }

    /// Ends the session known by `hash`; false when there was none.
    @discardableResult
    public static func close(hash: String, on connection: isolated PostgresConnection) throws -> Bool {
        try connection.execute(closeStatement, [hash]) > 0
    }

    // MARK: SQL

    static let pruneStatement = PostgresStatement(
        name: "console_sessions_prune", sql: "DELETE FROM console_sessions WHERE expires_at <= $1")

    static let openStatement = PostgresStatement(
        name: "console_sessions_open",
        sql: "INSERT INTO console_sessions (session_hash, token_id, expires_at) VALUES ($1, $2, $3)")

    static let findStatement = PostgresStatement(
        name: "console_sessions_find",
        sql: """
            SELECT \(AdminToken.columns), session_expires_at
            FROM admin_tokens JOIN (
                SELECT token_id, expires_at AS session_expires_at FROM console_sessions
                WHERE session_hash = $1 AND expires_at > $2
            ) session ON session.token_id = admin_tokens.id
            """)

    static let closeStatement = PostgresStatement(
        name: "console_sessions_close", sql: "DELETE FROM console_sessions WHERE session_hash = $1")
}
