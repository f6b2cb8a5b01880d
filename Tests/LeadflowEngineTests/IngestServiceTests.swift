import Foundation
import LeadflowBus
import LeadflowIngest
import LeadflowProto
import LeadflowTestKit
import Postgres
import SwiftProtobuf
import Synchronization
import Testing
import ZeroMQ

/// The ingest service over real sockets and a real database: every -ERR reason reaches the client,
/// duplicates change nothing, one bad message leaves its batch alone, and +OK only follows a commit.
@Suite("Ingest service")
struct IngestServiceTests {
    static let steps = """
        name: steps
        stages:
          - name: first
            actions:
              - email: {sender: "a@acme.test", subject: "Hi", text: "hello"}
        """

    static func upsert(_ externalID: String, email: String = "ada@example.com") -> Leadflow_V1_LeadUpsert {
        Leadflow_V1_LeadUpsert.with {
            $0.externalID = externalID
            $0.email = email
        }
    }

    static func enroll(_ externalID: String, pipeline: String = "steps", stage: String? = nil) -> Leadflow_V1_LeadEnroll {
        Leadflow_V1_LeadEnroll.with {
            $0.externalID = externalID
            $0.pipeline = pipeline
            if let stage { $0.stage = stage }
        }
    }

    /// Raw frames from a DEALER, for what the typed client cannot send; returns the reply frames.
    func sendRaw(_ frames: [[UInt8]], to harness: EngineHarness) async throws -> [[UInt8]] {
        let dealer = try await SocketLoop.start(
            context: harness.context, configuration: .init(name: "test.raw", type: .dealer), logger: EngineHarness.logger
        ) { [endpoint = harness.ingestEndpoint] socket in try socket.connect(endpoint) }
        try await dealer.send(frames)
        let reply = await dealer.inbound.nextBatch(max: 1).first
        await dealer.close()
        return try #require(reply).frames
    }

    struct RawCase: Sendable, CustomTestStringConvertible {
        let reason: IngestReason
        let frames: @Sendable () throws -> [[UInt8]]
        var testDescription: String { reason.rawValue }
    }

    static let withMsgID = Array("NATS/1.0\r\nNats-Msg-Id: raw-1\r\n\r\n".utf8)
    static let upsertBytes: [UInt8] = (try? upsert("crm-1").serializedBytes()) ?? []

    static let rawCases: [RawCase] = [
        RawCase(reason: .malformedMessage) { [Array("lead.upsert.acme".utf8), withMsgID] },
        RawCase(reason: .invalidSubject) { [Array("lead..acme".utf8), withMsgID, upsertBytes] },
        RawCase(reason: .unknownSubject) { [Array("lead.bogus.acme".utf8), withMsgID, upsertBytes] },
        RawCase(reason: .malformedHeaders) { [Array("lead.upsert.acme".utf8), Array("HTTP/1.1\r\n\r\n".utf8), upsertBytes] },
        RawCase(reason: .missingMsgID) { [Array("lead.upsert.acme".utf8), [], upsertBytes] },
        RawCase(reason: .payloadTooLarge) { [Array("lead.upsert.acme".utf8), withMsgID, [UInt8](repeating: 1, count: 1_048_577)] },
        RawCase(reason: .unsupportedContentType) {
            [Array("lead.upsert.acme".utf8), Array("NATS/1.0\r\nNats-Msg-Id: raw-1\r\nContent-Type: text/xml\r\n\r\n".utf8), upsertBytes]
        },
        RawCase(reason: .invalidPayload) { [Array("lead.upsert.acme".utf8), withMsgID, [0xFF, 0xFF, 0xFF]] },
    ]

    @Test("each malformed request gets -ERR with its documented reason", arguments: rawCases)
    func rawRejections(_ rawCase: RawCase) async throws {
        try await EngineHarness.with { harness in
            let reply = try await sendRaw(try rawCase.frames(), to: harness)
            #expect(reply.first == Array("-ERR".utf8))
            #expect(reply.last.map { String(decoding: $0, as: UTF8.self) } == rawCase.reason.rawValue)
        }
    }

    @Test("references the database does not know: Unknown Organization and Unknown Pipeline")
    func unknownReferences() async throws {
        try await EngineHarness.with { harness in
            let client = try await harness.requester()
            let unknownOrg = try await harness.send("lead.upsert.nobody", Self.upsert("crm-1"), msgID: "u-1", via: client)
            #expect(unknownOrg == .error(msgID: "u-1", reason: IngestReason.unknownOrganization.rawValue))

            try await harness.definePipeline(Self.steps, via: client)
            let upsert = try await harness.send("lead.upsert.acme", Self.upsert("crm-1"), msgID: "u-2", via: client)
            #expect(upsert == .ok(msgID: "u-2"))
            let pipeline = try await harness.send("lead.enroll.acme", Self.enroll("crm-1", pipeline: "nope"), msgID: "e-1", via: client)
            #expect(pipeline == .error(msgID: "e-1", reason: IngestReason.unknownPipeline.rawValue))
            let stage = try await harness.send(
                "lead.enroll.acme", Self.enroll("crm-1", stage: "nope"), msgID: "e-2", via: client)
            #expect(stage == .error(msgID: "e-2", reason: IngestReason.unknownPipeline.rawValue))
            #expect(try await harness.count("SELECT count(*) FROM lead_stages") == 0)
            #expect(try await harness.count("SELECT count(*) FROM processed_messages WHERE msg_id LIKE 'e-%'") == 0,
                    "a rejected message is not remembered, so it can be sent again once the pipeline exists")
            await client.close()
        }
    }

    @Test("a duplicate msg id is acknowledged and changes nothing")
    func duplicates() async throws {
        try await EngineHarness.with { harness in
            let client = try await harness.requester()
            try await harness.definePipeline(Self.steps, via: client)
            #expect(try await harness.send("lead.upsert.acme", Self.upsert("crm-1", email: "first@example.com"), msgID: "m-1", via: client) == .ok(msgID: "m-1"))
            #expect(try await harness.send("lead.upsert.acme", Self.upsert("crm-1", email: "second@example.com"), msgID: "m-1", via: client) == .ok(msgID: "m-1"))
            let email = try await harness.database.query("SELECT email FROM leads WHERE external_id = 'crm-1'").scalar(String.self)
            #expect(email == "first@example.com")
            #expect(try await harness.send("lead.enroll.acme", Self.enroll("crm-1"), msgID: "m-2", via: client) == .ok(msgID: "m-2"))
            #expect(try await harness.send("lead.enroll.acme", Self.enroll("crm-1"), msgID: "m-2", via: client) == .ok(msgID: "m-2"))
            #expect(try await harness.count("SELECT count(*) FROM lead_stage_actions") == 1)
            #expect(harness.ingest.statistics.duplicates == 2)
            await client.close()
        }
    }

    @Test("one bad message in a batch is rejected alone; the others are applied")
    func badMessageMidBatch() async throws {
        try await EngineHarness.with(running: false) { harness in
            _ = try await harness.database.execute("INSERT INTO organizations (id) VALUES ('acme')")
            let client = try await harness.requester()
            let requests = [
                try EngineHarness.envelope("lead.upsert.acme", Self.upsert("crm-1"), msgID: "b-1"),
                try EngineHarness.envelope("lead.upsert.acme", Self.upsert(""), msgID: "b-2"),
                try EngineHarness.envelope("lead.upsert.acme", Self.upsert("crm-3"), msgID: "b-3"),
            ]
            // All three are queued before ingest reads, so they arrive as one batch.
            async let acks = withThrowingTaskGroup(of: Ack.self) { group in
                for request in requests { group.addTask { try await client.request(request, timeout: .seconds(10)) } }
                return try await group.reduce(into: [Ack]()) { $0.append($1) }
            }
            try await Task.sleep(for: .milliseconds(200))
            harness.startIngest()
            let received = Set(try await acks)
            #expect(received == [.ok(msgID: "b-1"), .error(msgID: "b-2", reason: IngestReason.invalidPayload.rawValue), .ok(msgID: "b-3")])
            #expect(try await harness.count("SELECT count(*) FROM leads") == 2)
            #expect(harness.ingest.statistics.batches == 1, "the three requests were one batch")
            await client.close()
        }
    }

    @Test("+OK only after the commit: while the write is blocked no ack comes, and the ack implies visibility")
    func ackAfterCommit() async throws {
        try await EngineHarness.with { harness in
            _ = try await harness.database.execute("INSERT INTO organizations (id) VALUES ('acme')")
            let client = try await harness.requester()
            try await PostgresConnection.withConnection(configuration: .init(url: harness.url)) { blocker in
                try await blocker.executeScript("BEGIN; LOCK TABLE processed_messages IN EXCLUSIVE MODE")
                let acked = Atomic<Bool>(false)
                let ack = Task {
                    defer { acked.store(true, ordering: .sequentiallyConsistent) }
                    return try await harness.send("lead.upsert.acme", Self.upsert("crm-1"), msgID: "c-1", via: client)
                }
                // Ingest is now blocked on the lock inside its transaction.
                try await harness.waitUntil("ingest waits for the lock", timeout: .seconds(10)) { connection in
                    try await connection.query(
                        "SELECT count(*) FROM pg_locks WHERE relation = 'processed_messages'::regclass AND NOT granted"
                    ).scalar(Int.self) ?? 0 > 0
                }
                let ackedEarly = acked.load(ordering: .sequentiallyConsistent)
                #expect(!ackedEarly, "acknowledged before the commit")
                #expect(harness.ingest.statistics.applied == 0)
                try await blocker.executeScript("COMMIT")
                #expect(try await ack.value == .ok(msgID: "c-1"))
            }
            // A fresh session sees the lead as soon as the ack is in hand.
            #expect(try await harness.count("SELECT count(*) FROM leads WHERE external_id = 'crm-1'") == 1)
            await client.close()
        }
    }
}
