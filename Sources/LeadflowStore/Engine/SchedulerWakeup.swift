import Postgres

/// The `LISTEN/NOTIFY` channel that tells schedulers new work may be due.
///
/// The payload names the organizations whose work the committing transaction made due, one per line (an
/// organization id is a subject token: it never contains whitespace), so a scheduler can claim for them at
/// once (a follow-up claim, docs/tenants.md). An empty payload — from an older writer, or when the names
/// would not fit — only says "look".
public enum SchedulerWakeup {
    public static let channel = "leadflow_due"

    /// The most payload bytes sent; PostgreSQL refuses payloads of 8,000 bytes or more.
    static let payloadLimit = 4_000

    /// Sent inside a transaction, delivered when it commits. `$1`: the payload (``payload(organizations:)``).
    public static let notifyStatement = PostgresStatement(
        name: "wakeup_notify", sql: "SELECT pg_notify('\(channel)', $1)")

    /// Tells schedulers, when the caller's transaction commits, that `organizations` have new due work.
    public static func notify(organizations: some Sequence<String>, on connection: isolated PostgresConnection) throws {
        try connection.execute(notifyStatement, [payload(organizations: organizations)])
    }

    /// The payload naming `organizations` (sorted, each once); empty when they would exceed ``payloadLimit``.
    public static func payload(organizations: some Sequence<String>) -> String {
        let text = Set(organizations).sorted().joined(separator: "\n")
        return text.utf8.count <= payloadLimit ? text : ""
    }

    /// The organizations a payload names; empty for an empty payload.
    public static func organizations(in payload: String) -> [String] {
        payload.split(whereSeparator: \.isNewline).map(String.init)
    }
}
