import Foundation
import LeadflowTestKit
import Postgres
import Testing

@Suite("PostgreSQL session settings")
struct PostgresSessionSettingsTests {
    /// `url` with one more query parameter.
    private static func adding(_ parameter: String, to url: String) -> String {
        url + (url.contains("?") ? "&" : "?") + parameter
    }

    private static func show(_ setting: String, _ configuration: PostgresConfiguration) async throws -> String? {
        let connection = try await PostgresConnection.connect(configuration: configuration)
        let value = try await connection.query("SELECT current_setting($1)", [setting]).scalar(String.self)
        await connection.close()
        return value
    }

    @Test("every session starts with them, values with spaces and backslashes included")
    func applied() async throws {
        let configuration = PostgresConfiguration(
            url: try await TestDatabase.url(),
            sessionSettings: [
                "plan_cache_mode": "force_custom_plan", "search_path": #"public, "a b\c""#,
                "statement_timeout": "5s",
            ])
        #expect(try await Self.show("plan_cache_mode", configuration) == "force_custom_plan")
        #expect(try await Self.show("search_path", configuration) == #"public, "a b\c""#)
        #expect(try await Self.show("statement_timeout", configuration) == "5s")
    }

    @Test("an options parameter in the URL comes after them and wins")
    func urlWins() async throws {
        let url = Self.adding("options=-c%20plan_cache_mode%3Dforce_generic_plan", to: try await TestDatabase.url())
        let configuration = PostgresConfiguration(url: url, sessionSettings: ["plan_cache_mode": "force_custom_plan"])
        #expect(try await Self.show("plan_cache_mode", configuration) == "force_generic_plan")
        #expect(try await Self.show("plan_cache_mode", PostgresConfiguration(url: url)) == "force_generic_plan")
    }

    @Test(
        "a name that is not a setting's is refused before connecting",
        arguments: ["", "plan cache mode", "x=y", "-c", "name;"])
    func invalidName(name: String) {
        let configuration = PostgresConfiguration(url: "postgres://localhost/db", sessionSettings: [name: "on"])
        #expect {
            try configuration.validate()
        } throws: { error in
            let error = error as? PostgresError
            return error?.kind == .configuration && error?.message.contains("session setting name") == true
        }
    }

    @Test("an unknown setting fails the connection with the server's reason")
    func unknownSetting() async throws {
        let configuration = PostgresConfiguration(
            url: try await TestDatabase.url(), sessionSettings: ["no_such_setting_here": "1"])
        let error = await PostgresError.caught { _ = try await PostgresConnection.connect(configuration: configuration) }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("no_such_setting_here") == true)
    }
}
