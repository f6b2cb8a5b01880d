import LeadflowCurve
import LeadflowDomain

extension LeadflowSettings {
    /// A bound endpoint and the setting it comes from, for messages that say what to change.
    public typealias Bind = (setting: String, endpoint: String)

    /// The endpoints `leadflow ingest` binds.
    public var ingestBinds: [Bind] {
        [("ingest.endpoint", ingest.endpoint)] + (ingest.eventsEndpoint.map { [("ingest.events_endpoint", $0)] } ?? [])
    }

    /// The endpoints `leadflow scheduler` binds.
    public var schedulerBinds: [Bind] {
        ActionType.external.compactMap { type in
            scheduler.dispatchEndpoints[type].map { ("scheduler.\(type.rawValue)_endpoint", $0) }
        } + [("scheduler.results_endpoint", scheduler.resultsEndpoint)]
            + (scheduler.eventsEndpoint.map { [("scheduler.events_endpoint", $0)] } ?? [])
            + (scheduler.receiptsEndpoint.map { [("scheduler.receipts_endpoint", $0)] } ?? [])
    }

    /// The endpoints `leadflow collector` binds.
    public var collectorBinds: [Bind] {
        [("collector.metrics_endpoint", collector.metricsEndpoint)]
            + (collector.alertsEndpoint.map { [("collector.alerts_endpoint", $0)] } ?? [])
    }

    /// Refuses a start that would bind `binds` in plaintext where other hosts can reach them, or CURVE
    /// sockets without an allow-list.
    public func checkBinds(_ binds: [Bind]) throws(ConfigError) {
        let problems = bus.bindProblems(binds)
        if !problems.isEmpty { throw ConfigError(problems) }
    }
}
