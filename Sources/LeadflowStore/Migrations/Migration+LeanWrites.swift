extension Migration {
    /// Fewer checks per inserted action row: measured as the largest cost of entering leads into stages
    /// (docs/benchmarks.md, "end to end").
    static let leanWrites = Migration(
        version: 6, name: "lean_writes",
        sql: """
            -- org_id and lead_id of an action (and org_id of a lead stage) are copies the writer takes from the
            -- lead stage and the lead; their foreign keys cost a trigger lookup per inserted row and guard
            -- nothing the lead_stage_id / lead_id chains do not: deleting a lead or an organization still
            -- removes everything under it through those chains (leads → lead_stages → lead_stage_actions).
            ALTER TABLE lead_stage_actions DROP CONSTRAINT lead_stage_actions_org_id_fkey;
            ALTER TABLE lead_stage_actions DROP CONSTRAINT lead_stage_actions_lead_id_fkey;
            ALTER TABLE lead_stages DROP CONSTRAINT lead_stages_org_id_fkey;
            -- A random UUID per action is unique without an index to prove it (a collision is as likely as
            -- guessing one); the unique index cost a random-page B-tree insert per action.
            ALTER TABLE lead_stage_actions DROP CONSTRAINT lead_stage_actions_idempotency_key_key;
            """)
}
