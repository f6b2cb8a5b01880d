import LeadflowDomain
import LeadflowHandlers
import LeadflowScheduler
import LeadflowSecrets

/// The settings of one handler type: its driver and the driver's options, and where it connects.
public struct HandlerSettings: Sendable {
    public var type: ActionType
    /// `log` (development: logs and succeeds), `smtp` (email), `http` (a provider API; for webhooks the
    /// configured URL itself).
    public var driver: String
    public var maxInFlight: Int
    /// Scheduler PUSH endpoints to take dispatches from.
    public var dispatchEndpoints: [String]
    /// Scheduler PULL endpoints to push results to.
    public var resultEndpoints: [String]
    /// Ingest event PUB endpoints to hear opt-outs on, so a dispatch claimed just before one is handed back.
    public var eventEndpoints: [String]
    /// Scheduler receipt PUB endpoints: results are kept until a receipt names them (empty: not kept).
    public var receiptEndpoints: [String] = []
    /// Where results unacknowledged at shutdown are written, and read back at start (empty: nowhere).
    public var spoolDirectory = ""
    /// Driver options by name (`url`, `username`, `tls`).
    public var options: [String: String]
    /// The driver's credentials by name (`password`, `token`, `secret`), which never print.
    public var secrets: [String: Secret]
    /// The limit on one delivery.
    public var timeout: Duration
    /// The circuit breaker policy of each provider endpoint; nil when `breaker.enabled` is false.
    public var breaker: CircuitBreakerPolicy?
    /// SMTP sessions (connections) at once of an `smtp` email driver, within `maxInFlight` (email only).
    public var maxConnections: Int = 32
    /// How long an SMTP connection may stay without a message before it is closed (email only).
    public var idleTimeout: Duration = .seconds(30)
    /// The one-click unsubscribe fields of every email (`unsubscribe.*`; email only); nil: none.
    public var listUnsubscribe: ListUnsubscribe?

    static let optionNames = ["url", "username", "password", "token", "tls", "secret"]
    /// The options that are credentials.
    public static let secretOptionNames: Set<String> = ["password", "token", "secret"]

    static let keys: [ConfigKey] = ActionType.external.flatMap { type -> [ConfigKey] in
        let name = type.rawValue
        return [
            ConfigKey("handler.\(name).driver", "log", driverHelp(type)),
            ConfigKey("handler.\(name).max_in_flight", "256", "deliveries in flight per \(name) handler process"),
            ConfigKey("handler.\(name).scheduler_endpoints", "", "scheduler PUSH endpoints to take \(name) dispatches from (default: scheduler.\(name)_endpoint)"),
            ConfigKey("handler.\(name).result_endpoints", "", "scheduler PULL endpoints for results (default: scheduler.results_endpoint)"),
            ConfigKey(
                "handler.\(name).event_endpoints", "",
                "ingest PUB endpoints whose opt-out events hand back dispatches claimed just before them (default: ingest.events_endpoint; none: only the scheduler checks)"),
            ConfigKey("handler.\(name).timeout", "30s", "the limit on one delivery"),
            ConfigKey(
                "handler.\(name).receipt_endpoints", "",
                "scheduler PUB endpoints of receipts; results are kept and pushed again until acknowledged (default: scheduler.receipts_endpoint unless it binds a wildcard; none: results are pushed once, not kept)"),
            ConfigKey(
                "handler.\(name).spool_directory", ".leadflow/spool",
                "where results still unacknowledged at shutdown are written, for the next \(name) handler to push (empty: nowhere)"),
        ] + optionNames.map { option in
            ConfigKey("handler.\(name).\(option)", defaultOption(option, type), optionHelp(option, type))
        } + breakerKeys(name) + (type == .email ? smtpKeys : [])
    }

    /// The `smtp` email driver's connection settings.
    static let smtpKeys = [
        ConfigKey(
            "handler.email.max_connections", "32",
            "smtp driver: SMTP sessions (connections) at once per process, within max_in_flight; each is kept open and reused"),
        ConfigKey("handler.email.idle_timeout", "30s", "smtp driver: an SMTP connection without a message this long is closed (QUIT)"),
    ]

    /// `handler.<type>.breaker.*`, with the defaults of `CircuitBreakerPolicy`.
    static func breakerKeys(_ name: String) -> [ConfigKey] {
        let policy = CircuitBreakerPolicy()
        let prefix = "handler.\(name).breaker"
        return [
            ConfigKey("\(prefix).enabled", "true", "a circuit breaker per provider endpoint snoozes dispatches while it fails"),
            ConfigKey("\(prefix).consecutive_failures", "\(policy.consecutiveFailures)", "failures in a row, of requests sent since the endpoint last answered, that open its breaker (0: only the failure rate)"),
            ConfigKey("\(prefix).failure_rate", "\(policy.failureRate)", "share of failed requests in the window that opens it (0 < rate ≤ 1)"),
            ConfigKey("\(prefix).minimum_requests", "\(policy.minimumRequests)", "requests the window must hold before the failure rate counts"),
            ConfigKey("\(prefix).window", "\(Int(policy.window.seconds))s", "how far back the failure rate looks"),
            ConfigKey("\(prefix).open_duration", "\(Int(policy.openDuration.seconds))s", "how long an open breaker snoozes dispatches before it probes"),
            ConfigKey("\(prefix).half_open_probes", "\(policy.halfOpenProbes)", "probes let through at once when half-open; this many successes close it"),
        ]
    }

    static func resolveBreaker(_ prefix: String, _ values: inout ConfigValues) -> CircuitBreakerPolicy? {
        guard values.bool("\(prefix).enabled") else { return nil }
        var policy = CircuitBreakerPolicy()
        policy.consecutiveFailures = values.int("\(prefix).consecutive_failures", in: 0...1_000_000)
        policy.failureRate = values.positiveNumber("\(prefix).failure_rate")
        policy.minimumRequests = values.int("\(prefix).minimum_requests", in: 1...1_000_000)
        policy.window = values.duration("\(prefix).window")
        policy.openDuration = values.duration("\(prefix).open_duration")
        policy.halfOpenProbes = values.int("\(prefix).half_open_probes", in: 1...10_000)
        values.report(policy.problems().map { "\(prefix).\($0.key): \($0.message)" })
        return policy
    }

    static func driverHelp(_ type: ActionType) -> String {
        switch type {
        case .email: "email driver: log | smtp | http (JSON provider API)"
        case .sms: "SMS driver: log | http (form POST provider API with basic auth)"
        default: "webhook driver: log | http (signed JSON POST to the action's URL)"
        }
    }

    static func optionHelp(_ option: String, _ type: ActionType) -> String {
        switch option {
        case "url": type == .email ? "smtp://, smtps:// or provider https:// URL" : "provider API URL"
        case "username": "SMTP user or provider account (basic auth)"
        case "password": "SMTP password or provider secret (basic auth); prefer the environment variable"
        case "token": "bearer token of the HTTP email provider"
        case "tls": "SMTP on smtp://: STARTTLS none | optional | required"
        default: "the HMAC-SHA256 signing secret of Leadflow-Signature"
        }
    }

    static func defaultOption(_ option: String, _ type: ActionType) -> String {
        switch option {
        case "tls": type == .email ? "required" : ""
        default: ""
        }
    }

    static func resolve(
        _ type: ActionType, scheduler: SchedulerConfiguration, ingestEvents: String?, _ values: inout ConfigValues
    ) -> HandlerSettings {
        let prefix = "handler.\(type.rawValue)"
        let driver = values.string("\(prefix).driver") ?? "log"
        let allowed: [String] = type == .email ? ["log", "smtp", "http"] : ["log", "http"]
        if !allowed.contains(driver) {
            values.report(["\(prefix).driver: \"\(driver)\" is not one of \(allowed.joined(separator: ", "))"])
        }
        var options: [String: String] = [:]
        var secrets: [String: Secret] = [:]
        for option in optionNames {
            guard let value = values.string("\(prefix).\(option)") else { continue }
            if secretOptionNames.contains(option) { secrets[option] = Secret(value) } else { options[option] = value }
        }
        var dispatch = values.list("\(prefix).scheduler_endpoints")
        if dispatch.isEmpty, let endpoint = scheduler.dispatchEndpoints[type] { dispatch = [endpoint] }
        var events = values.list("\(prefix).event_endpoints")
        // Ingest's own endpoint when a handler can connect to it as written (not `tcp://*:4223`).
        if events.isEmpty, let ingestEvents, !ingestEvents.isEmpty, !ingestEvents.contains("*") {
            events = [ingestEvents]
        }
        var results = values.list("\(prefix).result_endpoints")
        if results.isEmpty { results = [scheduler.resultsEndpoint] }
        var receipts = values.list("\(prefix).receipt_endpoints")
        if receipts.isEmpty, let endpoint = scheduler.receiptsEndpoint, !endpoint.isEmpty, !endpoint.contains("*") {
            receipts = [endpoint]
        } else if receipts == ["none"] {
            receipts = []
        }
        var settings = HandlerSettings(
            type: type, driver: driver, maxInFlight: values.int("\(prefix).max_in_flight", in: 1...100_000),
            dispatchEndpoints: dispatch, resultEndpoints: results, eventEndpoints: events, options: options,
            secrets: secrets,
            timeout: values.duration("\(prefix).timeout"), breaker: resolveBreaker("\(prefix).breaker", &values))
        settings.receiptEndpoints = receipts
        settings.spoolDirectory = values.string("\(prefix).spool_directory") ?? ""
        if type == .email {
            settings.maxConnections = values.int("\(prefix).max_connections", in: 1...10_000)
            settings.idleTimeout = values.duration("\(prefix).idle_timeout")
        }
        return settings
    }
}
