import Foundation
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// `leadflow pipeline apply` against a real ingest service and database.
@Suite("leadflow pipeline apply")
struct PipelineApplyTests {
    static var examples: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/pipelines").path
    }

    @Test("valid files are applied through ingest; a file with a problem stops everything before sending")
    func apply() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await InProcessIngest.with(url: url) { endpoint, database in
                let (status, output) = try await DevDemoTests().run(
                    ["pipeline", "apply", "\(Self.examples)/onboarding.yaml", "\(Self.examples)/three-step.yaml",
                     "--org", "acme", "--ingest", endpoint], environment: [:])
                #expect(status == 0, "\(output)")
                #expect(output.contains("onboarding.yaml: applied as acme/onboarding"))
                let names = try await database.query("SELECT name FROM pipelines WHERE org_id = 'acme' ORDER BY name")
                    .map { try $0.decode(String.self, at: 0) }
                #expect(names == ["onboarding", "three-step"])

                let broken = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID()).yaml")
                try "name: broken\nstages:\n  - name: a\n    actions:\n      - wait: -5m\n".write(to: broken, atomically: true, encoding: .utf8)
                let (failed, problems) = try await DevDemoTests().run(
                    ["pipeline", "apply", "\(Self.examples)/three-step.yaml", broken.path, "--org", "other", "--ingest", endpoint],
                    environment: [:])
                #expect(failed != 0)
                #expect(problems.contains("\(broken.path):5:"), "\(problems)")
                let other = try await database.query("SELECT count(*) FROM pipelines WHERE org_id = 'other'").scalar(Int.self)
                #expect(other == 0, "nothing is sent when a file has a problem")
            }
        }
    }
}
