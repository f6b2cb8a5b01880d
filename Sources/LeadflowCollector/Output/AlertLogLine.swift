/// An alert transition as one JSON log line (no trailing newline): `time`, `level` (the rule's severity),
/// `event` (`alert_firing` or `alert_resolved`), `rule`, `summary`, `value`, `threshold`, `started_at`, then
/// `ended_at` when resolved and the alert's `labels`.
public enum AlertLogLine {
    public static func encode(_ transition: AlertTransition) -> String {
        var writer = JSONObjectWriter()
        let alert = transition.alert
        writer.string("time", RFC3339.string(transition.endedAt ?? alert.startedAt))
        writer.string("level", alert.severity.rawValue)
        writer.string("event", transition.state == .firing ? "alert_firing" : "alert_resolved")
        writer.string("rule", alert.rule)
        writer.string("summary", alert.summary)
        writer.number("value", alert.value)
        writer.number("threshold", alert.threshold)
        writer.string("started_at", RFC3339.string(alert.startedAt))
        writer.string("ended_at", transition.endedAt.map(RFC3339.string) ?? "", omitEmpty: true)
        writer.strings("labels", alert.labels)
        return writer.line
    }
}
