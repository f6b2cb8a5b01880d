import Foundation
import LeadflowConfig
import LeadflowDomain
import LeadflowTestKit
import Testing

@Suite("unsubscribe.* settings")
struct UnsubscribeSettingsTests {
    static func resolve(_ overrides: [String: String]) throws -> LeadflowSettings {
        try LeadflowSettings.resolve(ConfigValues(keys: LeadflowSettings.keys, overrides: overrides))
    }

    /// A key file of two keys, base64 as `openssl rand -base64 32` prints them; returns its path and text.
    static func keyFile(in folder: String) throws -> (path: String, text: String) {
        let text = "# first signs\n" + Data(repeating: 1, count: 32).base64EncodedString() + "\n"
            + Data(repeating: 2, count: 48).base64EncodedString() + "\n"
        let path = folder + "/unsubscribe.key"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, text)
    }

    @Test("unset: no List-Unsubscribe fields, no keys for the admin service; the engine's settings reach it")
    func defaults() throws {
        let settings = try Self.resolve(["scheduler.max_attempts": "7", "history.enabled": "false"])
        #expect(settings.handlers[.email]?.listUnsubscribe == nil)
        #expect(settings.admin.unsubscribeKeys == nil)
        #expect(settings.admin.defaultMaxAttempts == 7 && !settings.admin.keepsHistory)
    }

    @Test("a key file and a base URL: the email handler signs links, the admin service verifies, nothing else gets them")
    func configured() async throws {
        try await withTemporaryFolder { folder in
            let (path, _) = try Self.keyFile(in: folder)
            let settings = try Self.resolve([
                "unsubscribe.key_file": path, "unsubscribe.base_url": "https://links.example.com/lf",
                "unsubscribe.mailto": "unsubscribe@example.com",
            ])
            let links = try #require(settings.handlers[.email]?.listUnsubscribe)
            #expect(links.baseURL == "https://links.example.com/lf" && links.mailto == "unsubscribe@example.com")
            #expect(links.keys.count == 2 && settings.admin.unsubscribeKeys?.count == 2)
            #expect(settings.handlers[.sms]?.listUnsubscribe == nil && settings.handlers[.webhook]?.listUnsubscribe == nil)
            // An admin host needs the keys only.
            let admin = try Self.resolve(["unsubscribe.key_file": path])
            #expect(admin.admin.unsubscribeKeys?.count == 2 && admin.handlers[.email]?.listUnsubscribe == nil)
        }
    }

    @Test("every problem is named, and none quotes a key")
    func problems() async throws {
        try await withTemporaryFolder { folder in
            let (path, text) = try Self.keyFile(in: folder)
            let cases: [([String: String], String)] = [
                (["unsubscribe.key_file": path, "unsubscribe.base_url": "http://links.example.com"], "unsubscribe.base_url: must be https (RFC 8058)"),
                (["unsubscribe.key_file": path, "unsubscribe.base_url": "https://x.example.com/?a=1"], "unsubscribe.base_url: must be an https URL"),
                (["unsubscribe.base_url": "https://links.example.com"], "unsubscribe.base_url is set but unsubscribe.key_file is not"),
                (["unsubscribe.mailto": "u@example.com"], "unsubscribe.mailto is set but unsubscribe.base_url is not"),
                (["unsubscribe.key_file": folder + "/missing.key"], "unsubscribe.key_file: \(folder)/missing.key: no such file"),
                (
                    ["unsubscribe.key_file": path, "unsubscribe.base_url": "https://links.example.com", "unsubscribe.mailto": "a b@example.com"],
                    "unsubscribe.mailto: must be a plain address"
                ),
            ]
            for (overrides, expected) in cases {
                let error = try #require(throws: ConfigError.self, "\(overrides)") { try Self.resolve(overrides) }
                #expect(error.description.contains(expected), "\(error)")
                for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                    #expect(!error.description.contains(line))
                }
            }
            // http is fine for a loopback host (development, tests).
            let local = try Self.resolve(["unsubscribe.key_file": path, "unsubscribe.base_url": "http://127.0.0.1:4280"])
            #expect(local.handlers[.email]?.listUnsubscribe != nil)
        }
    }
}
