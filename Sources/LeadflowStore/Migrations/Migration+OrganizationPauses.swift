extension Migration {
    /// Operators' pauses of an organization's work: all of it, or one channel (docs/operations.md, "Pausing").
    static let organizationPauses = Migration(
        version: 12, name: "organization_pauses",
        sql: """
            -- One row per pause of an organization's scope: 'all' (every action type, internal ones included)
            -- or a channel ('email', 'sms', 'webhook'). Claims skip due actions of a scope paused now (no
            -- resumed_at); what is in flight finishes. Rows stay after resuming: a lead's timeline shows the
            -- pauses it lived through.
            CREATE TABLE organization_pauses (
                id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                org_id     text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                scope      text NOT NULL CHECK (scope IN ('all', 'email', 'sms', 'webhook')),
                paused_at  timestamptz NOT NULL DEFAULT now(),
                -- Who paused and resumed it: a CLI user, an admin token's name.
                paused_by  text NOT NULL,
                reason     text,
                resumed_at timestamptz,
                resumed_by text,
                CHECK ((resumed_at IS NULL) = (resumed_by IS NULL))
            );
            -- At most one pause of a scope in force; the claim's probe per queue head; pausing twice conflicts.
            CREATE UNIQUE INDEX organization_pauses_active_key
                ON organization_pauses (org_id, scope) WHERE resumed_at IS NULL;
            -- The pauses a lead's timeline shows: those of its organization, by time.
            CREATE INDEX organization_pauses_org_idx ON organization_pauses (org_id, paused_at);
            """)
}
