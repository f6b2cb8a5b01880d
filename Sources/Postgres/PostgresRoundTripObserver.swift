/// Told about every statement a connection sends, right after its round trip, on the connection's thread — the
/// hook instrumentation uses to time database work per statement. Must return quickly and never block.
public protocol PostgresRoundTripObserver: Sendable {
    /// `statement` is a fixed name, never SQL text: the prepared statement's name, `begin`, `commit`,
    /// `rollback`, `savepoint`, `release`, `script` (other scripts) or `unnamed` (SQL without a statement name).
    func roundTrip(statement: String, duration: Duration, succeeded: Bool)
}
