extension Migration {
    /// The admin API's bearer tokens (stored as hashes only) and the audit log every change through it writes
    /// in its own transaction (docs/admin-api.md).
    static let adminTokens = Migration(
        version: 11, name: "admin_tokens",
        sql: """
            -- One row per token ever made; a revoked token stays, so audit entries keep naming their actor.
            CREATE TABLE admin_tokens (
                id           bigserial PRIMARY KEY,
                name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
                role         text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
                -- The organizations the token reaches; NULL: every organization.
                org_ids      text[] CHECK (org_ids IS NULL OR cardinality(org_ids) > 0),
                -- SHA-256 of the token as lowercase hex. The token (32 random bytes) is never stored, so a copy
                -- of this table lets nobody in; a fast hash suffices for a secret nobody can guess
                -- (docs/admin-api.md, "Tokens"). Each request looks its token up by this key.
                token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
                created_at   timestamptz NOT NULL DEFAULT now(),
                -- The token that made it, or cli:<user> for `leadflow admin token create`.
                created_by   text NOT NULL,
                expires_at   timestamptz,
                -- Written at most once a minute per token.
                last_used_at timestamptz,
                revoked_at   timestamptz
            );
            -- Names are for people: unique among the tokens that work, free again once one is revoked.
            CREATE UNIQUE INDEX admin_tokens_live_name_idx ON admin_tokens (name) WHERE revoked_at IS NULL;

            -- One row per change made through the admin API or `leadflow admin token`, written in the
            -- transaction of the change, so a change and its entry commit or roll back together.
            CREATE TABLE audit_log (
                id             bigserial PRIMARY KEY,
                at             timestamptz NOT NULL DEFAULT now(),
                -- The actor: the token (NULL for the command line) and its name at the time.
                actor_token_id bigint REFERENCES admin_tokens (id),
                actor_name     text NOT NULL,
                action         text NOT NULL,
                -- The organizations the change is about; empty for one about every organization (a token of
                -- all organizations). An array, not one column: a token may be scoped to several.
                org_ids        text[] NOT NULL,
                target         text NOT NULL,
                detail         jsonb NOT NULL,
                rows_affected  integer NOT NULL CHECK (rows_affected >= 0)
            );
            -- Pages go newest first by id (the primary key); a scoped reader's filter uses this one.
            CREATE INDEX audit_log_org_ids_idx ON audit_log USING gin (org_ids);
            """)
}
