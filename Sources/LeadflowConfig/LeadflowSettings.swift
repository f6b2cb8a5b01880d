import LeadflowAdmin
import LeadflowCollector
import LeadflowCurve
import LeadflowDomain
import LeadflowIngest
import LeadflowScheduler
import LeadflowSecrets
import LeadflowTelemetry

/// Every setting of every service, read from flags, the environment and an optional YAML file, with
/// defaults that run everything on one machine (docs/configuration.md).
public struct LeadflowSettings: Sendable {
    /// The PostgreSQL URL, which may carry a password.
    public var databaseURL: Secret?
    public var ingest: IngestConfiguration
    public var scheduler: SchedulerConfiguration
    /// `handler.<type>.*` settings, by type and the rest of the key (`driver`, `max_in_flight`, …).
    public var handlers: [ActionType: HandlerSettings]
    /// How long a service drains on SIGTERM/SIGINT before what is still running is cancelled.
    public var shutdownTimeout: Duration
    /// `collector.*`: where the collector listens and sends alerts.
    public var collector: CollectorConfiguration
    /// Where measurements go (`telemetry.*`); an empty endpoint turns them off.
    public var telemetry: TelemetryConfiguration
    /// CURVE keys and the allow-list of the bus (`bus.*`).
    public var bus: BusSecurity
    /// The admin HTTP API (`admin.*`).
    public var admin: AdminConfiguration

    /// Every key the file, the environment and `--set` accept.
    public static let keys: [ConfigKey] = [
        ConfigKey("database.url", "", "PostgreSQL URL (also $DATABASE_URL); leadflow dev starts a private cluster when unset"),
        ConfigKey(
            "service.shutdown_timeout", "30s",
            "how long a service drains on SIGTERM/SIGINT (handlers finish deliveries in flight) before the rest is cancelled"),
        ConfigKey("ingest.endpoint", "tcp://127.0.0.1:4222", "ROUTER endpoint clients publish to"),
        ConfigKey("ingest.events_endpoint", "tcp://127.0.0.1:4223", "PUB endpoint of ingest's lead events (empty: off)"),
        ConfigKey("ingest.max_batch", "512", "most messages written per transaction"),
        ConfigKey("ingest.dedup_window", "24h", "how long a Nats-Msg-Id is remembered"),
        ConfigKey("scheduler.email_endpoint", "tcp://127.0.0.1:4230", "PUSH endpoint email handlers connect to"),
        ConfigKey("scheduler.sms_endpoint", "tcp://127.0.0.1:4231", "PUSH endpoint SMS handlers connect to"),
        ConfigKey("scheduler.webhook_endpoint", "tcp://127.0.0.1:4232", "PUSH endpoint webhook handlers connect to"),
        ConfigKey("scheduler.results_endpoint", "tcp://127.0.0.1:4239", "PULL endpoint handlers push results to"),
        ConfigKey("scheduler.events_endpoint", "tcp://127.0.0.1:4224", "PUB endpoint of the scheduler's lead events (empty: off)"),
        ConfigKey(
            "scheduler.receipts_endpoint", "tcp://127.0.0.1:4238",
            "PUB endpoint of receipts for applied results, which handlers keep their results until (empty: off)"),
        ConfigKey("scheduler.claim_batch", "1000", "most actions claimed per transaction"),
        ConfigKey("scheduler.shared_claim_batch", "200", "most actions claimed per transaction while organizations compete"),
        ConfigKey("scheduler.result_batch", "2000", "most results applied per transaction"),
        ConfigKey("scheduler.shared_result_batch", "50", "most results applied per transaction while several organizations' are in hand"),
        ConfigKey("scheduler.follow_up_claims", "true", "while organizations compete, claim what a result transaction or a wake-up made due right after it, for its organizations"),
        ConfigKey(
            "scheduler.plan_cache_mode", "force_custom_plan",
            "how the scheduler's sessions plan prepared statements: force_custom_plan (with the tables' current size), auto or force_generic_plan"),
        ConfigKey("scheduler.dispatch_queue_limit", "20000", "queued dispatches per type before that type is not claimed"),
        ConfigKey("scheduler.lease", "5m", "how long a handler may hold an action"),
        ConfigKey(
            "scheduler.lease_grace", "10s",
            "after a lease ends, how long the action is still not dispatched again and its result still applied"),
        ConfigKey("scheduler.max_attempts", "5", "attempts of actions whose pipeline sets none"),
        ConfigKey("scheduler.retry_base", "1s", "first retry delay (exponential back-off with full jitter)"),
        ConfigKey("scheduler.retry_cap", "5m", "longest retry delay"),
        ConfigKey("scheduler.idle_interval", "1s", "longest sleep with nothing due"),
    ] + ActionType.external.flatMap { type in
        [
            ConfigKey("scheduler.\(type.rawValue).retry_base", "", "\(type.rawValue) actions' first retry delay (default: scheduler.retry_base)"),
            ConfigKey("scheduler.\(type.rawValue).retry_cap", "", "\(type.rawValue) actions' longest retry delay (default: scheduler.retry_cap)"),
        ]
    } + [
        ConfigKey(
            "history.enabled", "true",
            "write every lead event to the lead history (lead_history) in the transaction that causes it; false: the timeline stays empty"),
        ConfigKey(
            "history.retention", "90d",
            "how long the lead history is kept: weekly partitions that ended longer ago are dropped by the scheduler (at least 7d)"),
        ConfigKey("tenant.max_in_flight", "1000", "per organization and channel: most actions dispatched and unanswered"),
        ConfigKey("tenant.rate_per_second", "500", "per organization and channel: dispatches per second (token bucket)"),
        ConfigKey("tenant.burst", "1000", "per organization and channel: most dispatches at once (bucket size)"),
    ] + HandlerSettings.keys + [
        ConfigKey(
            "telemetry.endpoint", "tcp://127.0.0.1:4250",
            "the collector's SUB endpoint every process's measurement PUB socket connects to (empty: telemetry off)"),
        ConfigKey(
            "telemetry.queue_capacity", "16384",
            "measurements queued per process for the publisher thread; beyond it they are dropped and counted"),
        ConfigKey("telemetry.gauge_interval", "5s", "how often backlog, in-flight, breaker and process gauges are sampled"),
    ] + CollectorSettings.keys + BusSettings.keys + AdminSettings.keys + UnsubscribeSettings.keys

    /// Resolves and validates every setting; the error lists every problem.
    public static func resolve(_ values: ConfigValues) throws(ConfigError) -> LeadflowSettings {
        var values = values
        var ingest = IngestConfiguration()
        ingest.endpoint = values.string("ingest.endpoint") ?? ""
        ingest.eventsEndpoint = values.string("ingest.events_endpoint")
        ingest.maxBatch = values.int("ingest.max_batch", in: 1...10_000)
        ingest.dedupWindow = values.duration("ingest.dedup_window")
        ingest.defaultMaxAttempts = values.int("scheduler.max_attempts", in: 1...100)
        ingest.keepsHistory = values.bool("history.enabled")
        values.report(ingest.problems())

        var scheduler = SchedulerConfiguration()
        for type in ActionType.external {
            scheduler.dispatchEndpoints[type] = values.string("scheduler.\(type.rawValue)_endpoint")
        }
        scheduler.resultsEndpoint = values.string("scheduler.results_endpoint") ?? ""
        scheduler.eventsEndpoint = values.string("scheduler.events_endpoint")
        scheduler.receiptsEndpoint = values.string("scheduler.receipts_endpoint")
        scheduler.claimBatch = values.int("scheduler.claim_batch", in: 1...50_000)
        scheduler.sharedClaimBatch = values.int("scheduler.shared_claim_batch", in: 1...50_000)
        scheduler.sharedResultBatch = values.int("scheduler.shared_result_batch", in: 1...50_000)
        scheduler.resultBatch = values.int("scheduler.result_batch", in: 1...50_000)
        scheduler.followUpClaims = values.bool("scheduler.follow_up_claims")
        scheduler.planCacheMode = values.string("scheduler.plan_cache_mode") ?? ""
        scheduler.dispatchQueueLimit = values.int("scheduler.dispatch_queue_limit", in: 1...1_000_000)
        scheduler.lease = values.duration("scheduler.lease")
        scheduler.leaseGrace = values.duration("scheduler.lease_grace")
        scheduler.defaultMaxAttempts = ingest.defaultMaxAttempts
        scheduler.retry = RetryPolicy(base: values.duration("scheduler.retry_base"), cap: values.duration("scheduler.retry_cap"))
        scheduler.idleInterval = values.duration("scheduler.idle_interval")
        scheduler.keepsHistory = ingest.keepsHistory
        scheduler.historyRetention = values.duration("history.retention")
        for type in ActionType.external {
            let base = values.string("scheduler.\(type.rawValue).retry_base")
            let cap = values.string("scheduler.\(type.rawValue).retry_cap")
            guard base != nil || cap != nil else { continue }
            scheduler.retryByType[type] = RetryPolicy(
                base: base == nil ? scheduler.retry.base : values.duration("scheduler.\(type.rawValue).retry_base"),
                cap: cap == nil ? scheduler.retry.cap : values.duration("scheduler.\(type.rawValue).retry_cap"))
        }
        scheduler.organizationLimits = ChannelLimits(
            maxInFlight: values.int("tenant.max_in_flight", in: 1...10_000_000),
            ratePerSecond: values.positiveNumber("tenant.rate_per_second"),
            burst: values.int("tenant.burst", in: 1...10_000_000))
        values.report(scheduler.problems())

        let unsubscribe = UnsubscribeSettings.resolve(&values)
        var handlers: [ActionType: HandlerSettings] = [:]
        for type in ActionType.external {
            handlers[type] = HandlerSettings.resolve(type, scheduler: scheduler, ingestEvents: ingest.eventsEndpoint, &values)
        }
        handlers[.email]?.listUnsubscribe = unsubscribe.links
        var telemetry = TelemetryConfiguration()
        telemetry.endpoint = values.string("telemetry.endpoint") ?? ""
        telemetry.queueCapacity = values.int("telemetry.queue_capacity", in: 16...10_000_000)
        telemetry.gaugeInterval = values.duration("telemetry.gauge_interval")
        values.report(telemetry.problems())
        let shutdownTimeout = values.duration("service.shutdown_timeout")
        if shutdownTimeout > .seconds(3600) {
            values.report(["service.shutdown_timeout must be at most 1h (got \(shutdownTimeout))"])
        }
        var collector = CollectorSettings.resolve(&values)
        // A gauge is stale after a few of its publishers' intervals: the collector must know the interval.
        collector.store.gaugeInterval = max(
            Double(telemetry.gaugeInterval.components.seconds) + Double(telemetry.gaugeInterval.components.attoseconds) / 1e18,
            0.001)
        let bus = BusSettings.resolve(&values)
        telemetry.curve = bus.connectOptions.curve
        var admin = AdminSettings.resolve(&values)
        // "Why is it waiting" applies the schedulers' default limits; a move enters stages as they do.
        admin.tenantDefaults = scheduler.organizationLimits
        admin.defaultMaxAttempts = scheduler.defaultMaxAttempts
        admin.unsubscribeKeys = unsubscribe.keys
        admin.keepsHistory = ingest.keepsHistory
        try values.validate()
        return LeadflowSettings(
            databaseURL: values.string("database.url").map { Secret($0) }, ingest: ingest, scheduler: scheduler, handlers: handlers,
            shutdownTimeout: shutdownTimeout, collector: collector, telemetry: telemetry, bus: bus, admin: admin)
    }

    /// The settings table for `--help`: key, default, environment variable.
    public static var helpText: String {
        keys.map { key in
            let value = key.defaultValue.isEmpty ? "(unset)" : key.defaultValue
            return "  \(key.name) = \(value)\n      \(key.help); env \(key.environmentName)"
        }.joined(separator: "\n")
    }
}
