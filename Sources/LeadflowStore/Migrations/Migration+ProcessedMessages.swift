extension Migration {
    /// Message ids ingest has applied, for deduplication on `Nats-Msg-Id` (DESIGN.md §2, §4).
    static let processedMessages = Migration(
        version: 4, name: "processed_messages",
        sql: """
            CREATE TABLE processed_messages (
                -- No foreign key on purpose: this is a time-bounded log of ids, and deduplication must not
                -- depend on the organization row still existing.
                org_id      text NOT NULL,
                -- Nats-Msg-Id. Ingest inserts it in the transaction that applies the message, so a redelivery
                -- (a client retrying after a lost +OK) is recognised and acknowledged without applying it twice.
                msg_id      text NOT NULL CHECK (msg_id <> ''),
                subject     text NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                -- Scoped per organization (as JetStream scopes deduplication per stream): one tenant's ids can
                -- never shadow another's, whatever scheme its publishers use.
                PRIMARY KEY (org_id, msg_id)
            );

            -- Pruning the deduplication window: DELETE … WHERE received_at < now() - window reads this index from
            -- its old end instead of scanning the table.
            CREATE INDEX processed_messages_received_at_idx ON processed_messages (received_at);
            """)
}
