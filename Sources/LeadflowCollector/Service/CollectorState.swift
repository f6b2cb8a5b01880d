import Foundation
import LeadflowProto

/// The collector's memory and rules, owned by one actor: the receive loop records into it, the evaluation loop
/// asks it for transitions, and the HTTP endpoint reads snapshots of it.
public actor CollectorState: CollectorHTTPContent {
    private var store: MetricsStore
    private var engine: RuleEngine
    private let rules: RuleSet
    private let startedAt: Date
    private var lastReceived: Date?
    private var lastEvaluated: Date?
    private let evaluateInterval: TimeInterval
    private let generatorURL: String

    /// `evaluateInterval` tells `/healthz` when evaluation has fallen behind; `generatorURL` is where an alert
    /// links back to (`/alerts` of this collector).
    public init(
        rules: RuleSet, store: MetricsStoreConfiguration = MetricsStoreConfiguration(),
        evaluateInterval: Duration = .seconds(5), generatorURL: String, now: Date = Date()
    ) throws(MetricsStore.InvalidConfiguration) {
        var configuration = store
        configuration.history = max(configuration.history, rules.requiredHistory)
        self.store = try MetricsStore(configuration: configuration)
        self.engine = RuleEngine(rules: rules.rules)
        self.rules = rules
        self.startedAt = now
        self.evaluateInterval = Double(evaluateInterval.components.seconds)
            + Double(evaluateInterval.components.attoseconds) / 1e18
        self.generatorURL = generatorURL
    }

    /// Records measurements received at `time`; returns the slow-operation breaches among them.
    public func record(_ measurements: [Leadflow_V1_Measurement], malformed: Int, at time: Date) -> [Breach] {
        var breaches: [Breach] = []
        for _ in 0..<malformed { store.recordMalformed() }
        for measurement in measurements {
            guard case .recorded = store.record(measurement, at: time) else { continue }
            if let breach = rules.slowOperations.breach(for: measurement, at: time) { breaches.append(breach) }
        }
        if !measurements.isEmpty { lastReceived = time }
        return breaches
    }

    /// Evaluates every rule at `time`; the alerts that fired or resolved.
    public func evaluate(at time: Date) -> [AlertTransition] {
        store.expireStaleGauges(at: time)
        lastEvaluated = time
        return engine.evaluate(store.snapshot(at: time), at: time)
    }

    /// The alerts firing now.
    public var firing: [FiringAlert] { engine.firing }

    /// An immutable copy of every series at `time`.
    public func snapshot(at time: Date = Date()) -> MetricsSnapshot { store.snapshot(at: time) }

    /// The Alertmanager body re-announcing every firing alert; `nil` when none fires.
    public func firingPayload() -> [UInt8]? {
        let firing = engine.firing
        return firing.isEmpty ? nil : Array(AlertmanagerPayload(firing: firing, generatorURL: generatorURL).json())
    }

    // MARK: CollectorHTTPContent

    public func prometheusText() -> String { PrometheusExposition.render(store.snapshot(at: Date())) }

    /// Healthy while rules are evaluated on time; the body tells what the collector has seen.
    public func health() -> (healthy: Bool, json: [UInt8]) {
        let now = Date()
        let evaluationAge = now.timeIntervalSince(lastEvaluated ?? startedAt)
        let healthy = evaluationAge <= max(3 * evaluateInterval, 1)
        let statistics = store.currentStatistics
        var body: [String: Any] = [
            "status": healthy ? "ok" : "evaluation stalled",
            "started_at": RFC3339.string(startedAt),
            "measurements_received": statistics.received,
            "measurements_malformed": statistics.malformed,
            "series": statistics.series,
            "alerts_firing": engine.firing.count,
        ]
        if let lastReceived { body["last_received_at"] = RFC3339.string(lastReceived) }
        if let lastEvaluated { body["last_evaluated_at"] = RFC3339.string(lastEvaluated) }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
        return (healthy, Array(data))
    }

    public func alertsJSON() -> [UInt8] { Array(FiringAlertsDocument(engine.firing, at: Date()).json()) }

    public func summaryJSON() -> [UInt8] { Array(CollectorSummary(store.snapshot(at: Date())).json()) }
}
