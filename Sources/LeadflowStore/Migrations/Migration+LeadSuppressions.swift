extension Migration {
    /// Opt-outs per lead and channel that hold in any order: recorded even for leads not known before, never
    /// cleared by an upsert, lifted only by an explicit resubscribe (docs/engine.md, "Opt-outs").
    static let leadSuppressions = Migration(
        version: 9, name: "lead_suppressions",
        sql: """
            -- One row per lead and channel the lead ever opted out of or back in to: 'all' (an unsubscribe
            -- without a channel: every channel and all automation), 'email' or 'sms' (the action types the
            -- channel holds back). A resubscribe keeps the row with suppressed = false, so an older unsubscribe
            -- that arrives after it loses: of the two, the later changed_at wins whatever the arrival order, and
            -- at equal times the unsubscribe does. A table rather than columns on leads: each opt-out keeps its
            -- own time, source and reason, and a new channel needs no migration.
            CREATE TABLE lead_suppressions (
                lead_id     bigint NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
                channel     text NOT NULL CHECK (channel IN ('all', 'email', 'sms')),
                suppressed  boolean NOT NULL,
                -- When the lead opted out (or back in): the command's occurred_at, or its commit time.
                changed_at  timestamptz NOT NULL,
                source      text,
                reason      text,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                -- The claim's check is one probe of this key per claimed external action: (lead, 'all') and
                -- (lead, its type). Also indexes the lead foreign key for the cascade.
                PRIMARY KEY (lead_id, channel)
            );

            -- leads.unsubscribed_at said "unsubscribed from everything"; that is now the 'all' row, the one
            -- place the rule reads.
            INSERT INTO lead_suppressions (lead_id, channel, suppressed, changed_at, source, recorded_at)
                SELECT id, 'all', true, unsubscribed_at, 'migration 9', unsubscribed_at
                FROM leads WHERE unsubscribed_at IS NOT NULL;
            ALTER TABLE leads DROP COLUMN unsubscribed_at;
            """)
}
