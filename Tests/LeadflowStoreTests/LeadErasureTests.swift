import LeadflowStore
import Testing

@Suite("lead.delete erases what could identify the person")
struct LeadErasureTests {
    @Test("a dead action's error text, which may quote the address, is erased with the lead")
    func errorTextsAreErased() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.upsert("lead-1", email: "ada@example.com")
            try await engine.upsert("lead-2", email: "bob@example.com")
            try await engine.enroll(["lead-1", "lead-2"], pipeline: "steps")
            try await engine.kill("lead-1", error: "550 <ada@example.com>: no such user")
            try await engine.kill("lead-2", error: "550 <bob@example.com>: no such user")
            try await engine.delete("lead-1")
            let errors = try await engine.connection.query(
                """
                SELECT l.external_id, a.last_error FROM lead_stage_actions a JOIN leads l ON l.id = a.lead_id
                WHERE a.last_error IS NOT NULL ORDER BY 1
                """
            ).map { try $0.decode((String, String).self) }
            #expect(errors.map(\.0) == ["lead-2"], "only the other lead's error text is left")
            #expect(errors.first?.1.contains("bob@example.com") == true)
        }
    }
}
