import LeadflowCollector

/// The `collector.*` keys and how they become a ``CollectorConfiguration``.
enum CollectorSettings {
    static let keys: [ConfigKey] = {
        let defaults = CollectorConfiguration()
        return [
            ConfigKey("collector.metrics_endpoint", defaults.metricsEndpoint, "SUB endpoint the collector binds; every service's telemetry connects to it"),
            ConfigKey("collector.alerts_endpoint", defaults.alertsEndpoint ?? "", "PUB endpoint the collector publishes alert.<severity>.<rule> on (empty: off)"),
            ConfigKey("collector.http", defaults.httpAddress, "host:port of /metrics, /healthz, /alerts and /api/v1/summary"),
            ConfigKey("collector.alertmanager", "", "Alertmanager base URLs, comma-separated (empty: alerts are not posted)"),
            ConfigKey("collector.rules", "", "rule file replacing the shipped defaults (deploy/collector-rules.yaml)"),
            ConfigKey("collector.evaluate_interval", "5s", "how often the alert rules are evaluated"),
            ConfigKey("collector.alertmanager_repeat", "60s", "how often firing alerts are posted again (Alertmanager resolves silent ones)"),
            ConfigKey("collector.alertmanager_attempts", "\(defaults.alertmanagerAttempts)", "attempts per Alertmanager post before it is dropped"),
            ConfigKey("collector.window", "60s", "sliding window of the collector's percentiles, error rates and N+1 fits"),
            ConfigKey("collector.window_slots", "6", "sub-windows of collector.window; the window moves on by window / slots"),
            ConfigKey("collector.max_series", "10000", "most series the collector holds; measurements of further series are counted as dropped_series"),
            ConfigKey("collector.log_file", "", "file the JSON log lines (slow operations, alerts) are appended to (empty: standard output)"),
        ]
    }()

    static func resolve(_ values: inout ConfigValues) -> CollectorConfiguration {
        var collector = CollectorConfiguration()
        collector.metricsEndpoint = values.string("collector.metrics_endpoint") ?? ""
        collector.alertsEndpoint = values.string("collector.alerts_endpoint")
        collector.httpAddress = values.string("collector.http") ?? ""
        collector.alertmanagerURLs = values.list("collector.alertmanager")
        collector.rulesFile = values.string("collector.rules")
        collector.evaluateInterval = values.duration("collector.evaluate_interval")
        collector.alertmanagerRepeatInterval = values.duration("collector.alertmanager_repeat")
        collector.alertmanagerAttempts = values.int("collector.alertmanager_attempts", in: 1...100)
        collector.logFile = values.string("collector.log_file")
        let window = values.duration("collector.window")
        collector.store.window = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        collector.store.windowSlots = values.int("collector.window_slots", in: 1...3_600)
        collector.store.maxSeries = values.int("collector.max_series", in: 1...10_000_000)
        values.report(collector.store.problems.map { "collector: \($0)" })
        values.report(collector.problems())
        return collector
    }
}
