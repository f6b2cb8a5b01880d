import Foundation
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// `leadflow lead upsert|enroll|unsubscribe|resubscribe` through a real ingest service: acknowledged once
/// committed, refused with ingest's reason.
@Suite("leadflow lead writes")
struct LeadWriteCommandTests {
    @Test("upsert, enroll, unsubscribe and resubscribe reach the database through ingest; -ERR is an error naming why")
    func writes() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await InProcessIngest.with(url: url) { endpoint, database in
                func leadflow(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
                    try await LeadflowExecutable.run(arguments + ["--org", "acme", "--ingest", endpoint], environment: [:])
                }
                let applied = try await LeadflowExecutable.run(
                    ["pipeline", "apply", "\(PipelineApplyTests.examples)/three-step.yaml", "--org", "acme", "--ingest", endpoint],
                    environment: [:])
                #expect(applied.status == 0, "\(applied)")

                let upsert = try await leadflow(
                    ["lead", "upsert", "ada", "--email", "ada@example.org", "--first-name", "Ada", "--attribute", "plan=pro",
                     "--msg-id", "cli-1"])
                #expect(upsert.status == 0 && upsert.output.contains("upsert of ada acknowledged (msg id cli-1)"), "\(upsert)")
                let lead = try await database.query("SELECT email || ' ' || first_name || ' ' || (attributes->>'plan') FROM leads WHERE external_id = 'ada'")
                    .map { try $0.decode(String.self, at: 0) }
                #expect(lead == ["ada@example.org Ada pro"])

                let enroll = try await leadflow(["lead", "enroll", "ada", "--pipeline", "three-step"])
                #expect(enroll.status == 0, "\(enroll)")
                let stages = try await database.query("SELECT count(*) FROM lead_stages WHERE exited_at IS NULL").scalar(Int.self)
                #expect(stages == 1)
                let unknown = try await leadflow(["lead", "enroll", "ada", "--pipeline", "nope"])
                #expect(unknown.status != 0 && unknown.errors.contains("ingest refused the enroll: Unknown Pipeline"), "\(unknown)")

                let stop = try await leadflow(["lead", "unsubscribe", "ada", "--channel", "sms", "--reason", "STOP"])
                #expect(stop.status == 0, "\(stop)")
                let suppressed = try await database.query(
                    "SELECT channel || ' ' || source FROM lead_suppressions s JOIN leads l ON l.id = s.lead_id WHERE l.external_id = 'ada'")
                    .map { try $0.decode(String.self, at: 0) }
                #expect(suppressed == ["sms cli"])
                let back = try await leadflow(["lead", "resubscribe", "ada", "--channel", "sms"])
                #expect(back.status == 0, "\(back)")
                let left = try await database.query(
                    "SELECT count(*) FROM lead_suppressions s JOIN leads l ON l.id = s.lead_id WHERE l.external_id = 'ada' AND s.suppressed")
                    .scalar(Int.self)
                #expect(left == 0)
                let badChannel = try await leadflow(["lead", "unsubscribe", "ada", "--channel", "fax"])
                #expect(badChannel.status != 0 && badChannel.errors.contains("--channel fax: expected email or sms"), "\(badChannel)")
            }
        }
    }

    @Test("publishing again with the same --msg-id is acknowledged and applied once, as after a time-out")
    func sameMessageTwice() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await InProcessIngest.with(url: url) { endpoint, database in
                let applied = try await LeadflowExecutable.run(
                    ["pipeline", "apply", "\(PipelineApplyTests.examples)/three-step.yaml", "--org", "acme", "--ingest", endpoint],
                    environment: [:])
                #expect(applied.status == 0, "\(applied)")
                for email in ["first@example.org", "second@example.org"] {
                    let upsert = try await LeadflowExecutable.run(
                        ["lead", "upsert", "ada", "--org", "acme", "--ingest", endpoint, "--email", email, "--msg-id", "cli-7"],
                        environment: [:])
                    #expect(upsert.status == 0 && upsert.output.contains("(msg id cli-7)"), "\(upsert)")
                }
                let email = try await database.query("SELECT email FROM leads WHERE external_id = 'ada'").scalar(String.self)
                #expect(email == "first@example.org", "the repeat is a duplicate: acknowledged, not applied again")
            }
        }
    }
}
