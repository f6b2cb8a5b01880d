import Postgres

/// The `LISTEN/NOTIFY` channel that tells schedulers new work may be due.
public enum SchedulerWakeup {
    public static let channel = "leadflow_due"

    /// Sent inside a transaction, delivered when it commits.
    public static let notifyStatement = PostgresStatement(
        name: "wakeup_notify", sql: "SELECT pg_notify('\(channel)', '')")
}
