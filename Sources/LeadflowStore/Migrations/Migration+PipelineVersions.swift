extension Migration {
    /// What the engine needs from pipeline definitions in SQL: typed action columns, versioned action rows and
    /// stages that leave a definition without losing their history (docs/engine.md, "Pipeline upserts").
    static let pipelineVersions = Migration(
        version: 5, name: "pipeline_versions",
        sql: """
            -- A stage removed from the definition keeps its row (leads were in it; lead_stages refers to it) with
            -- position NULL: leads still in it finish its actions, then leave the pipeline.
            ALTER TABLE pipeline_stages ALTER COLUMN position DROP NOT NULL;

            -- Each pipeline.upsert writes a new set of action rows under the pipeline's new version; a lead stage
            -- runs the rows it was entered with (lead_stage_actions refers to them), so changing a definition
            -- never reshapes work in progress. Rows no lead refers to are deleted by the next upsert.
            ALTER TABLE pipeline_stage_actions
                ADD COLUMN version         integer NOT NULL DEFAULT 1 CHECK (version > 0),
                -- Per action; NULL means the scheduler's default for its type.
                ADD COLUMN max_attempts    integer CHECK (max_attempts > 0),
                -- wait: how long; wait_for_reply: its time-out.
                ADD COLUMN delay           interval CHECK (delay >= interval '0'),
                -- move: where to; wait_for_reply: where to on time-out (NULL: the next action).
                ADD COLUMN target_stage_id bigint REFERENCES pipeline_stages (id),
                -- wait_for_reply: where to when the lead replies (NULL: the next action).
                ADD COLUMN reply_stage_id  bigint REFERENCES pipeline_stages (id),
                -- wait_for_reply: the channel a reply must come on (NULL: any).
                ADD COLUMN channel         text CHECK (channel IN ('email', 'sms')),
                DROP CONSTRAINT pipeline_stage_actions_stage_id_seq_key,
                ADD CONSTRAINT pipeline_stage_actions_stage_id_version_seq_key UNIQUE (stage_id, version, seq);
            -- The NO ACTION checks when a pipeline is deleted with its stages.
            CREATE INDEX pipeline_stage_actions_target_stage_id_idx
                ON pipeline_stage_actions (target_stage_id) WHERE target_stage_id IS NOT NULL;
            CREATE INDEX pipeline_stage_actions_reply_stage_id_idx
                ON pipeline_stage_actions (reply_stage_id) WHERE reply_stage_id IS NOT NULL;
            """)
}
