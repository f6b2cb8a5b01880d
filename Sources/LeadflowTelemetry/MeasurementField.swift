/// The dimension keys that map to `Leadflow_V1_Measurement`'s own fields; every other span attribute or metric
/// dimension travels in `attributes`. Use them as span attribute keys and metric dimension names.
public enum MeasurementField {
    public static let itemCount = "item_count"
    public static let dbQueries = "db_queries"
    public static let org = "org"
    public static let actionType = "action_type"
    public static let outcome = "outcome"
    public static let traceID = "trace_id"
    /// Attributes the vocabulary names (docs/observability.md).
    public static let provider = "provider"
    public static let errorClass = "error_class"
    public static let statement = "statement"
    public static let to = "to"
    /// What a pause covers: `all` or a channel.
    public static let scope = "scope"
}
