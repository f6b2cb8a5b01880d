extension Migration {
    /// Pausing one pipeline of an organization (docs/operations.md, "Pausing"): its pending actions step out of
    /// the work queue as `held` until it is resumed, so a paused backlog costs the claims nothing.
    static let pipelinePauses = Migration(
        version: 14, name: "pipeline_pauses",
        sql: """
            -- A pause of scope 'pipeline' names its pipeline; the other scopes name none.
            ALTER TABLE organization_pauses
                ADD COLUMN pipeline_id bigint REFERENCES pipelines (id) ON DELETE CASCADE,
                DROP CONSTRAINT organization_pauses_scope_check,
                ADD CONSTRAINT organization_pauses_scope_check
                    CHECK (scope IN ('all', 'email', 'sms', 'webhook', 'pipeline')),
                ADD CONSTRAINT organization_pauses_pipeline_check CHECK ((scope = 'pipeline') = (pipeline_id IS NOT NULL));
            -- At most one pause in force per organization and scope, and per pipeline.
            DROP INDEX organization_pauses_active_key;
            CREATE UNIQUE INDEX organization_pauses_active_key
                ON organization_pauses (org_id, scope, coalesce(pipeline_id, 0)) WHERE resumed_at IS NULL;
            -- The claim's look-up of paused pipelines: empty, and one page, while none is paused.
            CREATE INDEX organization_pauses_pipelines_idx
                ON organization_pauses (pipeline_id) WHERE scope = 'pipeline' AND resumed_at IS NULL;

            -- held: a pending action of a paused pipeline, out of the queue index until the pipeline is resumed
            -- (then pending again, with its due time kept). Proving the new check reads the table once, under
            -- the migration's lock: on a large table, a pause of the engine for that scan.
            ALTER TABLE lead_stage_actions
                DROP CONSTRAINT lead_stage_actions_status_check,
                ADD CONSTRAINT lead_stage_actions_status_check
                    CHECK (status IN ('blocked', 'pending', 'held', 'dispatched', 'succeeded', 'waiting', 'dead',
                                      'canceled'));
            -- Resuming a pipeline: its held actions.
            CREATE INDEX lead_stage_actions_held_idx ON lead_stage_actions (pipeline_action_id) WHERE status = 'held';
            """)
}
