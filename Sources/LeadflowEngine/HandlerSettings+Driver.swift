import Curl
import LeadflowConfig
import LeadflowHandlers
import LeadflowSecrets
import Logging

extension HandlerSettings {
    /// Whether the driver delivers over HTTP, and so needs a `CurlMulti` (the SMTP driver has sessions of its own).
    var needsCurl: Bool { driver != "log" && !(type == .email && driver == "smtp") }

    /// The delivery driver these settings describe; throws a readable error when a required option is missing.
    /// `curl` must be given when ``needsCurl``.
    func makeDriver(curl: CurlMulti?, logger: Logger) throws(ConfigError) -> any DeliveryDriver {
        let prefix = "handler.\(type.rawValue)"
        func required(_ option: String) throws(ConfigError) -> String {
            guard let value = options[option], !value.isEmpty else {
                throw ConfigError("\(prefix).\(option) is required for the \(driver) driver")
            }
            return value
        }
        func requiredSecret(_ option: String) throws(ConfigError) -> Secret {
            guard let value = secrets[option], !value.isEmpty else {
                throw ConfigError("\(prefix).\(option) is required for the \(driver) driver")
            }
            return value
        }
        if driver == "log" { return LogDriver(logger: logger) }
        let curl = { () -> CurlMulti in
            guard let curl else { preconditionFailure("the \(driver) driver of \(prefix) needs a CurlMulti") }
            return curl
        }
        switch (type, driver) {
        case (.email, "smtp"):
            var configuration = SMTPEmailDriver.Configuration()
            configuration.url = try required("url")
            configuration.username = options["username"] ?? ""
            configuration.password = secrets["password"] ?? ""
            guard let tls = SMTPRequest.TLSPolicy(rawValue: options["tls"] ?? "required") else {
                throw ConfigError("\(prefix).tls must be none, optional or required")
            }
            configuration.tls = tls
            configuration.timeout = timeout
            // Sessions beyond the deliveries in flight would never be used.
            configuration.maxConnections = min(maxConnections, maxInFlight)
            configuration.idleTimeout = idleTimeout
            configuration.listUnsubscribe = listUnsubscribe
            return SMTPEmailDriver(configuration: configuration)
        case (.email, "http"):
            var configuration = HTTPEmailDriver.Configuration()
            configuration.endpoint.url = try required("url")
            configuration.apiToken = try requiredSecret("token")
            configuration.endpoint.timeout = timeout
            configuration.listUnsubscribe = listUnsubscribe
            return HTTPEmailDriver(configuration: configuration, curl: curl())
        case (.sms, "http"):
            var configuration = HTTPSMSDriver.Configuration()
            configuration.endpoint.url = try required("url")
            configuration.accountID = try required("username")
            configuration.authToken = try requiredSecret("password")
            configuration.endpoint.timeout = timeout
            return HTTPSMSDriver(configuration: configuration, curl: curl())
        case (.webhook, "http"):
            var configuration = WebhookDriver.Configuration()
            configuration.signingSecret = try requiredSecret("secret")
            configuration.timeout = timeout
            return WebhookDriver(configuration: configuration, curl: curl())
        default:
            throw ConfigError("\(prefix).driver: \(driver) cannot deliver \(type.rawValue) actions")
        }
    }
}
