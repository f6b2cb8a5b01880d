import Foundation
import LeadflowTestKit
import Postgres
import Testing

/// The `leadflow` executable itself, as a user runs it.
@Suite("leadflow dev")
struct DevDemoTests {
    static var executable: String { LeadflowExecutable.path }

    /// Runs the executable (``LeadflowExecutable/run(_:environment:)``); returns its exit status and stdout, or
    /// stderr when `standardError` is set.
    func run(
        _ arguments: [String], environment: [String: String], standardError: Bool = false
    ) async throws -> (Int32, String) {
        let (status, output, errors) = try await LeadflowExecutable.run(arguments, environment: environment)
        return (status, standardError ? errors : output)
    }

    @Test("--demo 2000 completes and every lead reaches the pipeline's end")
    func demo() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.executable), "build the leadflow product first")
        try await TestDatabase.withFreshDatabase { url in
            let (status, output) = try await run(
                ["dev", "--demo", "2000", "--set", "ingest.endpoint=tcp://127.0.0.1:*",
                 "--set", "ingest.events_endpoint=", "--set", "scheduler.events_endpoint=inproc://demo-events"],
                environment: ["DATABASE_URL": url])
            #expect(status == 0, "leadflow dev exited with \(status):\n\(output)")
            #expect(output.contains("leads:            2000"))
            #expect(output.contains("failures (dead):  0"))
            #expect(output.contains("actions done:     6000 (email 2000, sms 2000, wait 2000)"))
            try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
                let demoLeads = try await connection.query(
                    "SELECT count(*) FROM leads WHERE external_id LIKE 'lead-%'").scalar(Int.self)
                #expect(demoLeads == 2000)
                let unfinished = try await connection.query(
                    """
                    SELECT count(*) FROM leads l
                    WHERE l.external_id LIKE 'lead-%' AND NOT EXISTS (
                        SELECT FROM lead_stages ls WHERE ls.lead_id = l.id AND ls.exit_reason = 'completed')
                    """).scalar(Int.self)
                #expect(unfinished == 0, "every demo lead left the pipeline after its last stage")
                let open = try await connection.query("SELECT count(*) FROM lead_stages WHERE exited_at IS NULL").scalar(Int.self)
                #expect(open == 0)
            }
        }
    }

    @Test("an invalid setting stops the start with a message naming it")
    func invalidSetting() async throws {
        let (status, message) = try await run(
            ["dev", "--set", "scheduler.claim_batch=lots"], environment: ["DATABASE_URL": "postgres://nobody@127.0.0.1:1/x"],
            standardError: true)
        #expect(status != 0)
        #expect(message.contains("--set scheduler.claim_batch: \"lots\" is not a whole number"), "\(message)")
    }
}
