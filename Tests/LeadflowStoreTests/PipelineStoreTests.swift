import LeadflowStore
import Postgres
import Testing

@Suite("Pipeline store")
struct PipelineStoreTests {
    @Test("an upsert bumps the version; leads keep the actions they entered with, new entries get the new ones")
    func versions() async throws {
        try await withEngine { engine in
            let first = try await engine.pipeline(TestPipelines.steps)
            #expect(first.version == 1)
            let orgs = try await engine.connection.query("SELECT count(*) FROM organizations WHERE id = 'acme'")
                .scalar(Int.self)
            #expect(orgs == 1, "the upsert created its organization")
            try await engine.enroll(["early"], pipeline: "steps")

            let second = try await engine.pipeline(
                """
                name: steps
                stages:
                  - name: first
                    actions:
                      - sms: {sender: "+15550001111", body: "changed"}
                """)
            #expect(second.pipelineID == first.pipelineID)
            #expect(second.version == 2)
            try await engine.enroll(["late"], pipeline: "steps")
            #expect(try await engine.actions(of: "early") == ["email:pending", "wait:blocked", "sms:blocked"])
            #expect(try await engine.actions(of: "late") == ["sms:pending"])

            let positions = try await engine.connection.query(
                "SELECT name || '=' || coalesce(position::text, 'retired') FROM pipeline_stages ORDER BY id"
            ).map { try $0.decode(String.self, at: 0) }
            #expect(positions == ["first=0", "second=retired"])
            // Version 1's rows stay while the early lead uses them; no other version-1 rows are left.
            let versions = try await engine.connection.query(
                "SELECT version, count(*) FROM pipeline_stage_actions GROUP BY version ORDER BY version"
            ).map { try $0.decode((Int, Int).self) }
            #expect(versions.map(\.0) == [1, 2])
            #expect(versions.map(\.1) == [3, 1])
        }
    }
}
