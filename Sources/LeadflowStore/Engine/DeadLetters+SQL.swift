extension DeadLetters {
    // Plain statements, not prepared ones: the tools run them now and then, and a one-off plan folds the
    // `$n IS NULL OR …` of the filters away, so a listing of one organization reads its part of
    // lead_stage_actions_dead_idx.

    /// Dead actions matching the filter `$1…$5` (org, type, since, error pattern, organizations).
    static let filterCondition = """
        a.status = 'dead'
          AND ($1::text IS NULL OR a.org_id = $1)
          AND ($2::text IS NULL OR a.type = $2)
          AND ($3::timestamptz IS NULL OR a.completed_at >= $3)
          AND ($4::text IS NULL OR a.last_error ILIKE $4)
          AND ($5::text[] IS NULL OR a.org_id = ANY ($5::text[]))
        """

    /// The filter, then the cursor `$6, $7` (completed_at, id of the last row seen) and the limit `$8`.
    static let listStatement = """
        SELECT \(DeadLetter.columns)
        FROM lead_stage_actions a
        \(DeadLetter.joins)
        WHERE \(filterCondition)
          AND ($6::timestamptz IS NULL OR (a.completed_at, a.id) < ($6::timestamptz, $7::bigint))
        ORDER BY a.completed_at DESC, a.id DESC
        LIMIT $8
        """

    static let showStatement = """
        SELECT \(DeadLetter.columns), \(DeadLetterDetail.columns)
        FROM lead_stage_actions a
        \(DeadLetter.joins)
        JOIN pipeline_stage_actions pa ON pa.id = a.pipeline_action_id
        WHERE a.id = $1
        """

    /// Selects the actions matching `condition` and locks them with their lead stage (so a concurrent exit
    /// from the stage — a move, unsubscribe or delete — either happens first and is seen, or waits and then
    /// cancels the replayed action); then `change` (nil in a dry run) updates those of them it applies to.
    /// Rows with `false` first are the selected actions before any change, rows with `true` the changed ones.
    /// (Two row kinds instead of a join against the data-modifying CTE: see ActionCompletion.)
    static func changeStatement(selecting condition: String, change: String?) -> String {
        var sql = """
            WITH target AS (
                SELECT a.id, a.status, \(DeadLetterSkip.Reason.replayBlockerSQL) AS blocker, ls.exit_reason
                FROM lead_stage_actions a
                JOIN leads l ON l.id = a.lead_id
                JOIN lead_stages ls ON ls.id = a.lead_stage_id
                WHERE \(condition)
                FOR UPDATE OF a, ls
            )
            """
        if let change { sql += ", changed AS (\n\(change)\n)" }
        sql += "\nSELECT false, t.id, t.status, t.blocker, t.exit_reason, NULL, NULL::bigint, NULL, NULL, NULL FROM target t"
        if change != nil {
            sql += """

                UNION ALL
                SELECT true, c.id, NULL, NULL, NULL, c.type, c.lead_id, c.org_id, l.external_id, c.last_error
                FROM changed c JOIN leads l ON l.id = c.lead_id
                """
        }
        return sql
    }

    /// Replay: pending and due now with a fresh attempt budget; the idempotency key and last error stay.
    static let replayChange = """
        UPDATE lead_stage_actions a
        SET status = 'pending', attempts = 0, perform_at = now(), completed_at = NULL, locked_until = NULL,
            updated_at = now()
        FROM target t
        WHERE a.id = t.id AND t.blocker IS NULL
        RETURNING a.id, a.type, a.lead_id, a.org_id, a.last_error
        """

    /// Discard: canceled, noted in the last error; completed_at keeps the time it died.
    static let discardChange = """
        UPDATE lead_stage_actions a
        SET status = 'canceled', updated_at = now(),
            last_error = 'discarded from the dead letters' || coalesce('; last error: ' || a.last_error, '')
        FROM target t
        WHERE a.id = t.id AND t.status = 'dead'
        RETURNING a.id, a.type, a.lead_id, a.org_id, a.last_error
        """
}
