extension Migration {
    /// Every event about a lead, kept for a while: the timeline that answers "what happened to this lead"
    /// (docs/operations.md). Written in the transaction that caused each event; partitioned by week so that
    /// retention drops whole partitions and the history never bloats the work queue's tables.
    static let leadHistory = Migration(
        version: 10, name: "lead_history",
        sql: """
            -- One row per event about a lead: the lead events of docs/protocol.md §5 (kind is the subject's
            -- <event> token), the snoozes among them told apart ('action_snoozed'), and operators' acts.
            -- Ids only: names are read from the pipeline tables, so a row stays small. No foreign keys: a row
            -- is a record of the past, checked by nothing and never updated.
            -- Each session takes its ids 1,000 at a time: no lock or WAL record per row. So ids follow the
            -- order of writing within a session only; across sessions, occurred_at orders.
            CREATE SEQUENCE lead_history_id_seq AS bigint CACHE 1000;
            CREATE TABLE lead_history (
                -- When the row was written, just before its transaction commits (clock_timestamp(), not the
                -- transaction's start, so a transaction that follows from another is later): a timeline's
                -- order, and what partitions and retention go by.
                occurred_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
                -- Orders the rows of one transaction that share a time; with occurred_at, a page cursor.
                id                  bigint NOT NULL DEFAULT nextval('lead_history_id_seq'),
                org_id              text NOT NULL,
                lead_id             bigint NOT NULL,
                kind                text NOT NULL,
                pipeline_id         bigint,
                stage_id            bigint,
                action_id           bigint,
                action_type         text,
                attempt             integer,
                channel             text,
                error               text,
                reason              text,
                source              text,
                provider_message_id text,
                -- How long the handler's delivery took, as it reported.
                duration_ms         double precision,
                -- When a retried or snoozed action is due again.
                due_at              timestamptz,
                -- The W3C trace id of the lead's work, to find its spans and log lines.
                trace_id            text,
                -- Who did it, for operators' acts (a CLI user or an admin token's name); NULL: the engine.
                actor               text
            ) PARTITION BY RANGE (occurred_at);
            ALTER SEQUENCE lead_history_id_seq OWNED BY lead_history.id;

            -- A lead's timeline in order, one probe per partition; the query prunes partitions older than
            -- the lead.
            CREATE INDEX lead_history_lead_idx ON lead_history (lead_id, occurred_at, id);

            -- Rows whose week has no partition (the scheduler creates them weeks ahead; this catches the rest).
            CREATE TABLE lead_history_default PARTITION OF lead_history DEFAULT;

            -- Creates the weekly partitions (Monday 00:00 UTC to the next) from this week to `weeks_ahead`
            -- weeks ahead that do not exist yet; returns how many it created. A week whose rows already sit in
            -- the default partition is skipped with a warning: those rows stay where they are. Creating a
            -- partition locks lead_history, which every writer needs: it waits at most a second for that lock
            -- (behind a long reader, say) and skips the week, so writers never queue behind it for long.
            CREATE FUNCTION lead_history_create_partitions(weeks_ahead integer) RETURNS integer
            LANGUAGE plpgsql AS $$
            DECLARE
                first_week date := date_trunc('week', now() AT TIME ZONE 'UTC')::date;
                week date;
                partition_name text;
                created integer := 0;
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtext('lead_history_partitions'));
                SET LOCAL lock_timeout = '1s';
                FOR i IN 0 .. weeks_ahead LOOP
                    week := first_week + 7 * i;
                    partition_name := 'lead_history_' || to_char(week, 'YYYYMMDD');
                    CONTINUE WHEN to_regclass(partition_name) IS NOT NULL;
                    BEGIN
                        EXECUTE format(
                            'CREATE TABLE %I PARTITION OF lead_history FOR VALUES FROM (%L) TO (%L)',
                            partition_name, week::timestamp AT TIME ZONE 'UTC',
                            (week + 7)::timestamp AT TIME ZONE 'UTC');
                        created := created + 1;
                    EXCEPTION
                        WHEN check_violation THEN
                            RAISE WARNING 'lead history: week % stays in lead_history_default (it has rows)', week;
                        WHEN lock_not_available THEN
                            RAISE WARNING 'lead history: week % not created (lead_history busy); next time', week;
                    END;
                END LOOP;
                RETURN created;
            END
            $$;

            -- Drops the weekly partitions that end before now() - retention, and deletes the default
            -- partition's rows older than that; returns how many partitions it dropped. Waits at most a
            -- second for the lock a drop needs (the caller tries again later).
            CREATE FUNCTION lead_history_drop_partitions(retention interval) RETURNS integer
            LANGUAGE plpgsql AS $$
            DECLARE
                part record;
                dropped integer := 0;
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtext('lead_history_partitions'));
                SET LOCAL lock_timeout = '1s';
                FOR part IN
                    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'lead_history'::regclass AND c.relname ~ '^lead_history_[0-9]{8}$'
                      AND (to_date(substr(c.relname, 14), 'YYYYMMDD') + 7)::timestamp AT TIME ZONE 'UTC'
                          <= now() - retention
                    ORDER BY c.relname
                LOOP
                    EXECUTE format('DROP TABLE %I', part.relname);
                    dropped := dropped + 1;
                END LOOP;
                DELETE FROM lead_history_default WHERE occurred_at < now() - retention;
                RETURN dropped;
            END
            $$;

            SELECT lead_history_create_partitions(4);
            """)
}
