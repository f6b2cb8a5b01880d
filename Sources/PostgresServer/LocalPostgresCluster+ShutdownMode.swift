extension LocalPostgresCluster {
    /// How `stop` ends the server (`pg_ctl stop -m`).
    public enum ShutdownMode: String, Sendable, CaseIterable {
        /// Sessions are disconnected and their transactions rolled back, then a checkpoint; falls back to
        /// `immediate` when the server does not stop in time.
        case fast
        /// Every server process quits at once, without a checkpoint: the next start recovers from the WAL, as
        /// after a crash.
        case immediate

        /// The `pg_ctl -m` modes to try, in order.
        var attempts: [ShutdownMode] { self == .fast ? [.fast, .immediate] : [.immediate] }
    }
}
