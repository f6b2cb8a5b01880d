import LeadflowConfig
import Testing

@Suite("admin.* settings")
struct AdminSettingsTests {
    static func resolve(_ overrides: [String: String]) throws -> LeadflowSettings {
        try LeadflowSettings.resolve(ConfigValues(keys: LeadflowSettings.keys, overrides: overrides))
    }

    @Test("defaults: loopback :4280, 64 KiB bodies, 10 bad tokens a minute")
    func defaults() throws {
        let admin = try Self.resolve([:]).admin
        #expect(admin.listen == "127.0.0.1:4280")
        #expect(admin.maxBodyBytes == 65_536)
        #expect(admin.badTokenLimit == 10 && admin.badTokenWindow == .seconds(60))
        #expect(!admin.allowPlaintext)
    }

    @Test("--set admin.* takes effect; every problem is named, a non-loopback address needs admin.allow_plaintext")
    func validation() throws {
        let set = try Self.resolve(["admin.listen": "127.0.0.1:0", "admin.bad_token_limit": "3", "admin.bad_token_window": "5m"]).admin
        #expect(set.listen == "127.0.0.1:0" && set.badTokenLimit == 3 && set.badTokenWindow == .seconds(300))

        let error = try #require(throws: ConfigError.self) {
            try Self.resolve(["admin.listen": "0.0.0.0:4280", "admin.max_body_bytes": "10", "admin.bad_token_window": "0s"])
        }
        #expect(error.description.contains("admin.listen 0.0.0.0:4280 is not a loopback address"), "\(error)")
        #expect(error.description.contains("admin.max_body_bytes"), "\(error)")
        #expect(error.description.contains("admin.bad_token_window must be 1s…24h"), "\(error)")
        #expect(try Self.resolve(["admin.listen": "0.0.0.0:4280", "admin.allow_plaintext": "true"]).admin.listen == "0.0.0.0:4280")
        let malformed = try #require(throws: ConfigError.self) { try Self.resolve(["admin.listen": "localhost:80"]) }
        #expect(malformed.description.contains("admin.listen must be an IPv4 address and a port"), "\(malformed)")
    }
}
