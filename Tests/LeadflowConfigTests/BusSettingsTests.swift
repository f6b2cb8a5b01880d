import Foundation
import LeadflowConfig
import LeadflowCurve
import LeadflowTestKit
import Testing
import ZeroMQ

@Suite("bus.* settings")
struct BusSettingsTests {
    static func resolve(_ overrides: [String: String]) throws -> LeadflowSettings {
        try LeadflowSettings.resolve(ConfigValues(keys: LeadflowSettings.keys, overrides: overrides))
    }

    @Test("plaintext by default; loopback binds need nothing, a non-loopback bind is refused with what to set")
    func plaintextBinds() throws {
        let defaults = try Self.resolve([:])
        #expect(!defaults.bus.isCurve)
        try defaults.checkBinds(defaults.ingestBinds + defaults.schedulerBinds + defaults.collectorBinds)

        let exposed = try Self.resolve(["ingest.endpoint": "tcp://0.0.0.0:4222"])
        let error = try #require(throws: ConfigError.self) { try exposed.checkBinds(exposed.ingestBinds) }
        #expect(error.messages.count == 1)
        #expect(error.description.hasPrefix("ingest.endpoint binds tcp://0.0.0.0:4222 in plaintext"), "\(error)")
        #expect(error.description.contains("bus.allow_plaintext = true"))

        let allowed = try Self.resolve(["ingest.endpoint": "tcp://0.0.0.0:4222", "bus.allow_plaintext": "true"])
        try allowed.checkBinds(allowed.ingestBinds)
        let scheduler = try Self.resolve(["scheduler.sms_endpoint": "tcp://10.1.2.3:4231"])
        #expect(throws: ConfigError.self) { try scheduler.checkBinds(scheduler.schedulerBinds) }
    }

    @Test("key files are read at start: the keys come from them, the telemetry connection speaks CURVE")
    func keyFiles() async throws {
        try await withTemporaryFolder { folder in
            let server = try CurveKeyPair.generate()
            let own = try CurveKeyPair.generate()
            try CurveKeyFile.write(server, to: folder + "/server.key", name: "bus")
            try CurveKeyFile.write(own, to: folder + "/handler.key", name: "handler")
            let settings = try Self.resolve([
                "bus.curve_secret_key_file": folder + "/handler.key", "bus.curve_server_key_file": folder + "/server.key.pub",
                "bus.curve_allow": folder, "ingest.endpoint": "tcp://0.0.0.0:4222",
            ])
            #expect(settings.bus.keyPair == own)
            #expect(settings.bus.serverPublicKey == server.publicKey)
            #expect(settings.telemetry.curve == .client(publicKey: own.publicKey, secretKey: own.secretKey, serverPublicKey: server.publicKey))
            #expect(settings.bus.bindOptions.curve == .server(secretKey: own.secretKey))
            try settings.checkBinds(settings.ingestBinds)
        }
    }

    @Test("a missing or malformed key file stops the start naming the setting, the file and why — never the key")
    func badKeyFiles() async throws {
        try await withTemporaryFolder { folder in
            let missing = try #require(throws: ConfigError.self) {
                try Self.resolve(["bus.curve_secret_key_file": folder + "/absent.key"])
            }
            #expect(missing.description == "bus.curve_secret_key_file: \(folder)/absent.key: no such file")

            let pair = try CurveKeyPair.generate()
            try "\(pair.secretKey.revealed.prefix(30))\n".write(toFile: folder + "/short.key", atomically: true, encoding: .utf8)
            let malformed = try #require(throws: ConfigError.self) {
                try Self.resolve(["bus.curve_secret_key_file": folder + "/short.key"])
            }
            #expect(malformed.description == "bus.curve_secret_key_file: \(folder)/short.key:1: not a 40-character Z85 CURVE key")
            #expect(!malformed.description.contains(pair.secretKey.revealed.prefix(30)))

            let clientOnly = try #require(throws: ConfigError.self) {
                try Self.resolve(["bus.curve_server_key_file": folder + "/short.key"])
            }
            #expect(clientOnly.description.contains("bus.curve_secret_key_file is not"), "\(clientOnly)")
        }
    }

    @Test("CURVE without an allow-list is refused for a service that binds")
    func curveNeedsAllowList() async throws {
        try await withTemporaryFolder { folder in
            try CurveKeyFile.write(try CurveKeyPair.generate(), to: folder + "/ingest.key", name: "ingest")
            let settings = try Self.resolve(["bus.curve_secret_key_file": folder + "/ingest.key"])
            let error = try #require(throws: ConfigError.self) { try settings.checkBinds(settings.ingestBinds) }
            #expect(error.description.contains("bus.curve_allow is not"), "\(error)")
        }
    }
}
