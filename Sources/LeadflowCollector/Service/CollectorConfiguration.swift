import LeadflowDomain
/// Where the collector listens, where it sends alerts and how often it evaluates its rules.
public struct CollectorConfiguration: Sendable {
    /// Where every component's telemetry publisher connects (SUB, bound): the collector is the stable side.
    public var metricsEndpoint = "tcp://127.0.0.1:4250"
    /// Where alert transitions are published as `alert.<severity>.<rule>` (PUB, bound); `nil`: not published.
    public var alertsEndpoint: String? = "tcp://127.0.0.1:4251"
    /// The HTTP listener for `/metrics`, `/healthz`, `/alerts` and `/api/v1/summary`, as `host:port`.
    public var httpAddress = "127.0.0.1:9470"
    /// Alertmanager base URLs (e.g. `http://127.0.0.1:9093`); alerts are POSTed to `<url>/api/v2/alerts`.
    public var alertmanagerURLs: [String] = []
    /// A rule file replacing the shipped defaults; `nil`: the defaults.
    public var rulesFile: String?
    /// How often the rules are evaluated (and firing alerts re-sent to Alertmanager, which expects repeats).
    public var evaluateInterval: Duration = .seconds(5)
    /// How often firing alerts are sent to Alertmanager again: it resolves alerts that are not repeated.
    public var alertmanagerRepeatInterval: Duration = .seconds(60)
    /// Attempts per Alertmanager POST (the first included) before the notification is dropped and counted.
    public var alertmanagerAttempts = 5
    /// The sliding window, series limit and history of the collector's memory.
    public var store = MetricsStoreConfiguration()
    /// Where JSON log lines (slow operations, alert transitions) go: standard output unless set.
    public var logFile: String?

    public init() {}

    /// Readable problems, empty when the configuration is usable.
    public func problems() -> [String] {
        var problems: [String] = []
        if metricsEndpoint.isEmpty { problems.append("collector.metrics_endpoint must not be empty") }
        if HTTPAddress(httpAddress) == nil {
            problems.append(
                "collector.http must be an IPv4 address and a port, e.g. 127.0.0.1:9470 or 0.0.0.0:9470 (got \"\(httpAddress)\")")
        }
        for url in alertmanagerURLs where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            problems.append("collector.alertmanager URLs must start with http:// or https:// (got \"\(url)\")")
        }
        if evaluateInterval < .milliseconds(10) || evaluateInterval > .seconds(3600) {
            problems.append("collector.evaluate_interval must be 10ms…1h (got \(evaluateInterval))")
        }
        if alertmanagerRepeatInterval < evaluateInterval {
            problems.append("collector.alertmanager_repeat must not be shorter than collector.evaluate_interval")
        }
        if !(1...100).contains(alertmanagerAttempts) {
            problems.append("collector.alertmanager_attempts must be 1…100 (got \(alertmanagerAttempts))")
        }
        return problems
    }
}
