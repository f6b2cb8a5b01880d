extension Migration {
    /// The web console's sessions (docs/console.md): a browser that logged in with an admin token holds a
    /// random session secret in a cookie; only its hash is stored, with the token it acts as. Revoking or
    /// expiring the token ends its sessions, since every request reads the token with the session.
    static let consoleSessions = Migration(
        version: 15, name: "console_sessions",
        sql: """
            CREATE TABLE console_sessions (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                -- SHA-256 of the cookie's secret, 64 lowercase hex digits.
                session_hash text NOT NULL UNIQUE CHECK (session_hash ~ '^[0-9a-f]{64}$'),
                token_id bigint NOT NULL REFERENCES admin_tokens (id) ON DELETE CASCADE,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL
            );
            CREATE INDEX console_sessions_expires_idx ON console_sessions (expires_at);
            """)
}
