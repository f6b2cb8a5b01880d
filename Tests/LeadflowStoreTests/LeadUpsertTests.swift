import LeadflowProto
import LeadflowStore
import Postgres
import Testing

/// What lead.proto promises of `LeadUpsert`: absent fields unchanged, present and empty ones cleared,
/// attributes merged key by key with an empty value removing its key — on creation and on update.
@Suite("Lead upserts")
struct LeadUpsertTests {
    func lead(_ engine: Engine, _ externalID: String) async throws -> String {
        try await engine.connection.query(
            """
            SELECT coalesce(email, '<null>') || ' ' || coalesce(phone, '<null>') || ' ' || coalesce(first_name, '<null>')
                   || ' ' || attributes::text
            FROM leads WHERE external_id = $1
            """, [externalID]
        ).scalar(String.self) ?? ""
    }

    func upsert(_ engine: Engine, _ externalID: String, _ change: (inout Leadflow_V1_LeadUpsert) -> Void) async throws {
        var message = Leadflow_V1_LeadUpsert()
        message.externalID = externalID
        change(&message)
        try await engine.connection.withTransaction { [message] connection in
            var events = LeadEventLog(recording: false)
            try LeadWriter.upsert([.init(org: "acme", message)], events: &events, on: connection)
        }
    }

    @Test("present and empty clears a field, an attribute mapped to \"\" goes, absent ones stay; a new lead stores no empties")
    func emptiesClear() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(FairClaimTests.oneEmail)  // the organization
            try await upsert(engine, "ada") {
                $0.email = "ada@example.org"
                $0.phone = "+15550001111"
                $0.firstName = "Ada"
                $0.attributes = ["plan": "pro", "tier": "1"]
            }
            try await upsert(engine, "ada") {
                $0.email = ""
                $0.attributes = ["plan": "", "seats": "3"]
            }
            #expect(try await lead(engine, "ada") == #"<null> +15550001111 Ada {"tier": "1", "seats": "3"}"#)
            try await upsert(engine, "bob") {
                $0.email = ""
                $0.firstName = "Bob"
                $0.attributes = ["plan": ""]
            }
            #expect(try await lead(engine, "bob") == "<null> <null> Bob {}")
        }
    }
}
