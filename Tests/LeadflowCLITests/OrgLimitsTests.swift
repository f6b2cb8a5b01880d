import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// `leadflow org set-limits` and `org limits` against a real database.
@Suite("leadflow org")
struct OrgLimitsTests {
    @Test("set-limits stores an organization's limits per channel; mistakes are named and change nothing")
    func setLimits() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
                try await connection.execute("INSERT INTO organizations (id) VALUES ('acme')")
            }
            let cli = DevDemoTests()
            let (status, output) = try await cli.run(
                ["org", "set-limits", "acme", "--channel", "email,sms", "--max-in-flight", "7", "--rate", "2.5",
                 "--database-url", url], environment: [:])
            #expect(status == 0, "\(output)")
            #expect(output.contains("acme  email    7"), "\(output)")

            let (unknown, unknownOutput) = try await cli.run(
                ["org", "set-limits", "nobody", "--rate", "5", "--database-url", url], environment: [:], standardError: true)
            #expect(unknown != 0)
            #expect(unknownOutput.contains("unknown organization 'nobody'"), "\(unknownOutput)")
            let (badChannel, badOutput) = try await cli.run(
                ["org", "set-limits", "acme", "--channel", "fax", "--rate", "5", "--database-url", url], environment: [:],
                standardError: true)
            #expect(badChannel != 0)
            #expect(badOutput.contains("--channel fax: expected email, sms or webhook"), "\(badOutput)")

            let (listed, table) = try await cli.run(["org", "limits", "acme", "--database-url", url], environment: [:])
            #expect(listed == 0)
            #expect(table.contains("acme  sms      7              2.5     default  0"), "\(table)")
            let rows = try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
                try await connection.query(
                    "SELECT channel || ' ' || max_in_flight || ' ' || rate_per_second FROM organization_channels ORDER BY channel"
                ).map { try $0.decode(String.self, at: 0) }
            }
            #expect(rows == ["email 7 2.5", "sms 7 2.5"])
        }
    }
}
