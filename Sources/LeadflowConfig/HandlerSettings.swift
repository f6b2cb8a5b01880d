import LeadflowDomain
import LeadflowScheduler

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
    /// Driver options by name (`url`, `username`, `password`, `token`, `tls`, `secret`).
    public var options: [String: String]
    /// The limit on one delivery.
    public var timeout: Duration

    static let optionNames = ["url", "username", "password", "token", "tls", "secret"]

    static let keys: [ConfigKey] = ActionType.external.flatMap { type -> [ConfigKey] in
        let name = type.rawValue
        return [
            ConfigKey("handler.\(name).driver", "log", driverHelp(type)),
            ConfigKey("handler.\(name).max_in_flight", "256", "deliveries in flight per \(name) handler process"),
            ConfigKey("handler.\(name).scheduler_endpoints", "", "scheduler PUSH endpoints to take \(name) dispatches from (default: scheduler.\(name)_endpoint)"),
            ConfigKey("handler.\(name).result_endpoints", "", "scheduler PULL endpoints for results (default: scheduler.results_endpoint)"),
            ConfigKey("handler.\(name).timeout", "30s", "the limit on one delivery"),
        ] + optionNames.map { option in
            ConfigKey("handler.\(name).\(option)", defaultOption(option, type), optionHelp(option, type))
        }
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

    static func resolve(_ type: ActionType, scheduler: SchedulerConfiguration, _ values: inout ConfigValues) -> HandlerSettings {
        let prefix = "handler.\(type.rawValue)"
        let driver = values.string("\(prefix).driver") ?? "log"
        let allowed: [String] = type == .email ? ["log", "smtp", "http"] : ["log", "http"]
        if !allowed.contains(driver) {
            values.report(["\(prefix).driver: \"\(driver)\" is not one of \(allowed.joined(separator: ", "))"])
        }
        var options: [String: String] = [:]
        for option in optionNames { options[option] = values.string("\(prefix).\(option)") }
        var dispatch = values.list("\(prefix).scheduler_endpoints")
        if dispatch.isEmpty, let endpoint = scheduler.dispatchEndpoints[type] { dispatch = [endpoint] }
        var results = values.list("\(prefix).result_endpoints")
        if results.isEmpty { results = [scheduler.resultsEndpoint] }
        return HandlerSettings(
            type: type, driver: driver, maxInFlight: values.int("\(prefix).max_in_flight", in: 1...100_000),
            dispatchEndpoints: dispatch, resultEndpoints: results, options: options,
            timeout: values.duration("\(prefix).timeout"))
    }
}
