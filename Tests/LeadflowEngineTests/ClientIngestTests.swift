import LeadflowBus
import LeadflowClient
import LeadflowPipeline
import LeadflowProto
import Testing

/// `LeadflowClient` against the real ingest service and database: the import path the demo takes.
@Suite("LeadflowClient with the real ingest")
struct ClientIngestTests {
    /// Runs `body` with a client connected to the harness's ingest, organization `acme` and its pipeline
    /// `steps` published.
    func withClient(_ body: (EngineHarness, LeadflowClient) async throws -> Void) async throws {
        try await EngineHarness.with { harness in
            let client = try await LeadflowClient.connect(
                to: harness.ingestEndpoint, context: harness.context, logger: EngineHarness.logger)
            _ = try await client.upsertPipeline(org: "acme", PipelineDecoder().decode(yaml: IngestServiceTests.steps))
            try await body(harness, client)
            await client.close()
        }
    }

    @Test("an import: a batch of upserts, then a batch of enrollments, every receipt backed by a committed row")
    func importLeads() async throws {
        try await withClient { harness, client in
            let ids = (0..<2_000).map { "crm-\($0)" }
            let upserted = try await client.upsertLeads(org: "acme", ids.map { IngestServiceTests.upsert($0) })
            #expect(upserted.allSatisfy { (try? $0.get()) != nil })
            #expect(try await harness.count("SELECT count(*) FROM leads") == ids.count)

            let enrolled = try await client.enroll(org: "acme", leads: ids.map { IngestServiceTests.enroll($0) })
            #expect(enrolled.allSatisfy { (try? $0.get()) != nil })
            #expect(try await harness.count("SELECT count(*) FROM lead_stages") == ids.count)
        }
    }

    @Test("publishing the same publication twice applies it once; a missing pipeline comes back as a rejection")
    func duplicatesAndRejections() async throws {
        try await withClient { harness, client in
            _ = try await client.upsertLead(org: "acme", IngestServiceTests.upsert("crm-1"))
            let enrollment = try LeadflowClient.Publication.enroll(org: "acme", IngestServiceTests.enroll("crm-1"))
            let first = try await client.publish(enrollment)
            let again = try await client.publish(enrollment)
            #expect(first.msgID == again.msgID)
            #expect(try await harness.count("SELECT count(*) FROM lead_stages") == 1)
            #expect(harness.ingest.statistics.duplicates == 1)

            let error = await #expect(throws: LeadflowClientError.self) {
                try await client.enroll(org: "acme", IngestServiceTests.enroll("crm-1", pipeline: "nope"))
            }
            #expect(error?.code == .rejected)
            #expect(error?.rejection?.knownReason == .unknownPipeline)
            #expect(error?.attempts == 1)
        }
    }
}
