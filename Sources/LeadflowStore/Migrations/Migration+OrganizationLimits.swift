extension Migration {
    /// Per-organization, per-channel throttling that holds across every scheduler process: the limits and the
    /// token bucket live in PostgreSQL, and a claim locks the bucket rows it spends from (docs/tenants.md).
    static let organizationLimits = Migration(
        version: 7, name: "organization_limits",
        sql: """
            -- One row per organization and external channel: the limits set with `leadflow org set-limits`
            -- (NULL: the scheduler's configured default) and the state of the channel's token bucket. A claim
            -- locks the rows of the queues it takes from (SKIP LOCKED: a second scheduler takes other queues
            -- meanwhile), counts the channel's dispatched actions and spends tokens, so limits hold across
            -- processes.
            CREATE TABLE organization_channels (
                org_id          text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                channel         text NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
                max_in_flight   integer CHECK (max_in_flight > 0),
                rate_per_second double precision CHECK (rate_per_second > 0),
                burst           integer CHECK (burst > 0),
                -- Tokens left at refilled_at; NULL: a full bucket. Refilled lazily by the elapsed time.
                tokens          double precision CHECK (tokens >= 0),
                refilled_at     timestamptz NOT NULL DEFAULT now(),
                updated_at      timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (org_id, channel)
            );

            -- Migration 1's organization-wide limit columns were never read; the limits are per channel now.
            ALTER TABLE organizations
                DROP COLUMN max_in_flight, DROP COLUMN rate_per_second, DROP COLUMN burst;

            -- Fair claiming walks the queues — (organization, type) pairs with pending actions — one index probe
            -- each, and takes each queue's oldest due actions. Replaces (org_id, perform_at), which cannot skip
            -- an organization's due emails to reach its due waits, and (perform_at), which only the unfair
            -- oldest-first claim read: one index less to write per action.
            DROP INDEX lead_stage_actions_due_by_org_idx;
            DROP INDEX lead_stage_actions_due_idx;
            CREATE INDEX lead_stage_actions_queue_idx
                ON lead_stage_actions (org_id, type, perform_at) WHERE status = 'pending';
            -- In-flight counts per organization and channel, read by every claim. Small: bounded by the limits.
            CREATE INDEX lead_stage_actions_in_flight_idx
                ON lead_stage_actions (org_id, type) WHERE status = 'dispatched';
            """)
}
