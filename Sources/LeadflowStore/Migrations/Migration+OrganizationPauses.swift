extension Migration {
    /// Operators' pauses of an organization's work: all of it, or one channel (docs/operations.md, "Pausing").
    static let organizationPauses = Migration(
        version: 12, name: "organization_pauses",
        sql: """
            -- One row per paused scope of an organization: 'all' (every action type, internal ones included)
            -- or a channel ('email', 'sms', 'webhook'). Claims skip due actions of a paused scope; what is in
            -- flight finishes. Resuming deletes the row. The claim reads it with its queue heads, one probe of
            -- the primary key per queue.
            CREATE TABLE organization_pauses (
                org_id    text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                scope     text NOT NULL CHECK (scope IN ('all', 'email', 'sms', 'webhook')),
                paused_at timestamptz NOT NULL DEFAULT now(),
                -- Who paused it: a CLI user, an admin token's name.
                paused_by text NOT NULL,
                reason    text,
                PRIMARY KEY (org_id, scope)
            );
            """)
}
