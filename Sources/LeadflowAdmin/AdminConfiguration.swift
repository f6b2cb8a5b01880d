import LeadflowDomain
import LeadflowSecrets

/// Where the admin API listens, how large a request may be, and when bad tokens get a client refused
/// (`admin.*`, docs/configuration.md).
public struct AdminConfiguration: Sendable {
    /// `host:port` of the HTTP listener; an IPv4 address.
    public var listen = "127.0.0.1:4280"
    /// Allow a non-loopback `listen` address. Bearer tokens cross the network in clear over plain HTTP, so a
    /// deployment listens on loopback behind a TLS-terminating proxy unless it says otherwise.
    public var allowPlaintext = false
    /// The largest request body accepted; larger ones are refused with 400 before they are read.
    public var maxBodyBytes = 64 * 1024
    /// Requests with a bad token one client address may make within ``badTokenWindow`` before every request
    /// from it that carries a token is answered 429.
    public var badTokenLimit = 10
    /// The window of ``badTokenLimit``: the address earns one more try every `window / limit`.
    public var badTokenWindow: Duration = .seconds(60)
    /// Connections of the service's PostgreSQL pool.
    public var databaseConnections = 4
    /// The schedulers' limits for organizations without their own (`tenant.*`), which "why is it waiting"
    /// applies as the claim does.
    public var tenantDefaults = ChannelLimits()
    /// The keys one-click unsubscribe tokens verify under (`unsubscribe.key_file`); nil: `/unsubscribe/{token}`
    /// answers 404.
    public var unsubscribeKeys: UnsubscribeKeys?
    /// Attempts of the actions a move, or a one-click unsubscribe, makes due when their pipeline sets none
    /// (`scheduler.max_attempts`).
    public var defaultMaxAttempts = 5
    /// Whether a one-click unsubscribe writes the lead's history (`history.enabled`), as ingest does.
    public var keepsHistory = true

    public init() {}

    /// Readable problems, empty when the configuration is usable.
    public func problems() -> [String] {
        var problems: [String] = []
        if let address = HTTPAddress(listen) {
            if !address.isLoopback && !allowPlaintext {
                problems.append(
                    "admin.listen \(listen) is not a loopback address: bearer tokens would cross the network in clear; listen on 127.0.0.1 behind a TLS proxy, or set admin.allow_plaintext=true")
            }
        } else {
            problems.append(
                "admin.listen must be an IPv4 address and a port, e.g. 127.0.0.1:4280 or 0.0.0.0:4280 (got \"\(listen)\")")
        }
        if !(1024...(16 << 20)).contains(maxBodyBytes) {
            problems.append("admin.max_body_bytes must be 1024…16777216 (got \(maxBodyBytes))")
        }
        if !(1...1_000_000).contains(badTokenLimit) {
            problems.append("admin.bad_token_limit must be 1…1000000 (got \(badTokenLimit))")
        }
        if badTokenWindow < .seconds(1) || badTokenWindow > .seconds(86_400) {
            problems.append("admin.bad_token_window must be 1s…24h (got \(badTokenWindow))")
        }
        if !(1...64).contains(databaseConnections) {
            problems.append("admin.database_connections must be 1…64 (got \(databaseConnections))")
        }
        return problems
    }
}
