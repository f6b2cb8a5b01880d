/// One measurement as producers hand it to the ``TelemetryPublisher``: plain Swift values, cheap to build on a
/// hot path; the publisher's thread turns it into a `Leadflow_V1_Measurement` and encodes it.
public struct MeasurementRecord: Sendable, Equatable {
    /// What kind of measurement this is (the wire enum's three cases).
    public enum Kind: Sendable, Equatable {
        case span
        case counter
        case gauge
    }

    public var kind: Kind
    /// The subject's second token (`ingest`, `scheduler`, `email_handler`, …).
    public var component: String
    /// The subject's third token (`claim`, `delivery`, …).
    public var operation: String
    /// When the operation started (spans) or the reading was taken, in nanoseconds since 1970.
    public var startNanoseconds: UInt64
    /// How long the operation took (spans).
    public var durationNanoseconds: UInt64 = 0
    /// The increment (counters) or the reading (gauges).
    public var value: Double = 0
    public var itemCount: UInt64 = 0
    public var dbQueries: UInt32 = 0
    public var org = ""
    public var actionType = ""
    public var outcome = ""
    public var traceID = ""
    /// Further low-cardinality dimensions (`provider`, `error_class`, `statement`, …).
    public var attributes: [String: String] = [:]

    public init(kind: Kind, component: String, operation: String, startNanoseconds: UInt64) {
        self.kind = kind
        self.component = component
        self.operation = operation
        self.startNanoseconds = startNanoseconds
    }

    /// Sets the field a dimension names (`org`, `action_type`, `outcome`, `trace_id`, `item_count`,
    /// `db_queries`), or an attribute for any other key.
    public mutating func set(_ key: String, _ value: String) {
        switch key {
        case MeasurementField.org: org = value
        case MeasurementField.actionType: actionType = value
        case MeasurementField.outcome: outcome = value
        case MeasurementField.traceID: traceID = value
        case MeasurementField.itemCount: itemCount = UInt64(value) ?? itemCount
        case MeasurementField.dbQueries: dbQueries = UInt32(value) ?? dbQueries
        default: attributes[key] = value
        }
    }
}
