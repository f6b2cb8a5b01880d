extension Migration {
    /// The W3C trace context of the work a lead does in a stage, so the trace that started at ingest follows it
    /// through the scheduler and the handlers to the result (docs/observability.md, "Trace context").
    static let traceContext = Migration(
        version: 8, name: "trace_context",
        sql: """
            -- The `traceparent` (version 00, 55 characters) of what put the lead into the stage: the enroll
            -- message, or — for the stages that follow — the lead stage it left, so a whole run through a
            -- pipeline is one trace. Every action of the stage carries it: the claim reads it with one primary-key
            -- probe per claimed action, and stage transitions read it from the row they already update.
            -- One value per stage entry rather than per action keeps the enroll path's writes as they were.
            -- Nullable and without a default, so adding it rewrites nothing; rows from before it have none and
            -- their actions get a new trace when claimed. Only read with its row: no index.
            ALTER TABLE lead_stages ADD COLUMN trace_parent text;
            """)
}
