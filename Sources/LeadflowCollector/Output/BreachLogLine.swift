/// A slow-operation breach as one JSON log line (no trailing newline), keys in this order: `time`, `level`,
/// `event` (`slow_operation`), `component`, `operation`, `duration_ms`, `threshold_ms`, then, when not empty
/// or zero, `item_count`, `db_queries`, `org`, `action_type`, `outcome`, `trace_id`, `attributes`.
public enum BreachLogLine {
    public static func encode(_ breach: Breach) -> String {
        var writer = JSONObjectWriter()
        writer.string("time", RFC3339.string(breach.time))
        writer.string("level", breach.level.rawValue)
        writer.string("event", "slow_operation")
        writer.string("component", breach.component)
        writer.string("operation", breach.operation)
        writer.number("duration_ms", milliseconds(breach.duration))
        writer.number("threshold_ms", milliseconds(breach.threshold))
        writer.integer("item_count", breach.itemCount, omitZero: true)
        writer.integer("db_queries", UInt64(breach.dbQueries), omitZero: true)
        writer.string("org", breach.org, omitEmpty: true)
        writer.string("action_type", breach.actionType, omitEmpty: true)
        writer.string("outcome", breach.outcome, omitEmpty: true)
        writer.string("trace_id", breach.traceID, omitEmpty: true)
        writer.strings("attributes", breach.attributes)
        return writer.line
    }

    /// Milliseconds to the microsecond.
    static func milliseconds(_ seconds: Double) -> Double { (seconds * 1_000_000).rounded() / 1_000 }
}
