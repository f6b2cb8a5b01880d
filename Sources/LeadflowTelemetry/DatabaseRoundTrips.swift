import Postgres

/// The database hook of a component: every round trip of its pool's connections is published as a
/// `<component>.db_query` span with the statement's fixed name (`statement`) and outcome `ok` or `error`.
public struct DatabaseRoundTrips: PostgresRoundTripObserver {
    public let telemetry: Telemetry

    public init(telemetry: Telemetry) { self.telemetry = telemetry }

    public func roundTrip(statement: String, duration: Duration, succeeded: Bool) {
        telemetry.span("db_query", duration: duration) { record in
            record.outcome = succeeded ? "ok" : "error"
            record.attributes[MeasurementField.statement] = statement
        }
    }
}

extension Telemetry {
    /// The observer to give this component's database pool; nil when telemetry is off, so that connections
    /// do not even read the clock.
    public var databaseObserver: (any PostgresRoundTripObserver)? {
        isEnabled ? DatabaseRoundTrips(telemetry: self) : nil
    }
}
