import Postgres

/// The deduplication log of ingest: which `Nats-Msg-Id`s of each organization were already applied.
public enum ProcessedMessages {
    /// A message id within its organization.
    public struct Key: Sendable, Hashable {
        public var org: String
        public var msgID: String

        public init(org: String, msgID: String) {
            self.org = org
            self.msgID = msgID
        }
    }

    /// Records the ids in the caller's transaction and returns those that were new; the others (and repeats
    /// within `keys`) were applied before and must only be acknowledged.
    public static func record(
        _ keys: [Key], subjects: [String], on connection: isolated PostgresConnection
    ) throws -> Set<Key> {
        guard !keys.isEmpty else { return [] }
        let rows = try connection.query(insert, [keys.map(\.org), keys.map(\.msgID), subjects])
        return Set(try rows.map { row in
            let (org, msgID) = try row.decode((String, String).self)
            return Key(org: org, msgID: msgID)
        })
    }

    /// Forgets ids older than `window`; returns how many. Redeliveries later than the window are applied again.
    public static func prune(olderThan window: Duration, on connection: isolated PostgresConnection) throws -> Int {
        try connection.execute(pruneStatement, [window.seconds])
    }

    static let insert = PostgresStatement(
        name: "processed_insert",
        sql: """
            INSERT INTO processed_messages (org_id, msg_id, subject)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
            ON CONFLICT (org_id, msg_id) DO NOTHING
            RETURNING org_id, msg_id
            """)

    static let pruneStatement = PostgresStatement(
        name: "processed_prune",
        sql: "DELETE FROM processed_messages WHERE received_at < now() - make_interval(secs => $1)")
}
