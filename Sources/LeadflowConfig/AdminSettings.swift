import LeadflowAdmin

/// The `admin.*` keys and how they become an ``AdminConfiguration``.
enum AdminSettings {
    static let keys: [ConfigKey] = {
        let defaults = AdminConfiguration()
        return [
            ConfigKey("admin.listen", defaults.listen, "host:port of the admin HTTP API (docs/admin-api.md)"),
            ConfigKey(
                "admin.allow_plaintext", "\(defaults.allowPlaintext)",
                "let admin.listen be a non-loopback address (bearer tokens then cross the network unencrypted: use a TLS proxy)"),
            ConfigKey(
                "admin.max_body_bytes", "\(defaults.maxBodyBytes)",
                "largest request body the admin API reads; larger ones are refused with 400"),
            ConfigKey(
                "admin.bad_token_limit", "\(defaults.badTokenLimit)",
                "requests with bad tokens one client address may make within admin.bad_token_window before it is answered 429"),
            ConfigKey(
                "admin.bad_token_window", "60s",
                "the window of admin.bad_token_limit; a refused address earns a try back every window / limit"),
            ConfigKey("admin.database_connections", "\(defaults.databaseConnections)", "PostgreSQL connections of the admin API"),
        ]
    }()

    static func resolve(_ values: inout ConfigValues) -> AdminConfiguration {
        var admin = AdminConfiguration()
        admin.listen = values.string("admin.listen") ?? ""
        admin.allowPlaintext = values.bool("admin.allow_plaintext")
        admin.maxBodyBytes = values.int("admin.max_body_bytes", in: 1024...(16 << 20))
        admin.badTokenLimit = values.int("admin.bad_token_limit", in: 1...1_000_000)
        admin.badTokenWindow = values.duration("admin.bad_token_window")
        admin.databaseConnections = values.int("admin.database_connections", in: 1...64)
        values.report(admin.problems())
        return admin
    }
}
