import Foundation
import LeadflowBus
import LeadflowCurve
import LeadflowIngest
import LeadflowPipeline
import LeadflowProto
import LeadflowTestKit
import Synchronization
import Testing
import ZeroMQ

/// Ingest with CURVE over real tcp and a real database: a listed key publishes, a key bound to one
/// organization cannot publish for another, and plaintext or unknown peers never reach the database.
@Suite("Ingest over CURVE")
struct CurveIngestTests {
    /// Runs `body` with an ingest whose allow-list holds `crm` bound to acme and `reporting` unbound.
    static func withCurveIngest(
        ingestEvents: Bool = false,
        _ body: (EngineHarness, BusSecurity, _ crm: CurveKeyPair, _ reporting: CurveKeyPair) async throws -> Void
    ) async throws {
        try await withTemporaryFolder { folder in
            let crm = try CurveKeyPair.generate()
            let reporting = try CurveKeyPair.generate()
            let allow = folder + "/allow"
            try FileManager.default.createDirectory(atPath: allow, withIntermediateDirectories: true)
            try CurveKeyFile.write(crm, to: folder + "/crm.key", name: "crm", organizations: ["acme"])
            try CurveKeyFile.write(reporting, to: folder + "/reporting.key", name: "reporting")
            for name in ["crm", "reporting"] {
                try FileManager.default.copyItem(atPath: folder + "/\(name).key.pub", toPath: allow + "/\(name).pub")
            }
            let security = BusSecurity(keyPair: try CurveKeyPair.generate(), allowListPath: allow)
            try await EngineHarness.with(ingestEvents: ingestEvents, security: security) { harness in
                try await body(harness, security, crm, reporting)
            }
        }
    }

    /// A DEALER speaking CURVE with `keys`, or plaintext when `nil`.
    static func requester(_ harness: EngineHarness, _ security: BusSecurity, _ keys: CurveKeyPair?) async throws -> AckRequester {
        var options = SocketOptions()
        if let keys, let server = security.keyPair {
            options.curve = .client(publicKey: keys.publicKey, secretKey: keys.secretKey, serverPublicKey: server.publicKey)
        }
        return try await AckRequester.start(
            context: harness.context, name: "test.curve-client", endpoints: [.connect(harness.ingestEndpoint)], options: options)
    }

    @Test("a listed key publishes; a key bound to acme gets -ERR Not Authorized for globex, before any lookup")
    func organizationBinding() async throws {
        try await Self.withCurveIngest { harness, security, crm, reporting in
            let client = try await Self.requester(harness, security, crm)
            try await harness.definePipeline(IngestServiceTests.steps, org: "acme", via: client)
            #expect(try await harness.send("lead.upsert.acme", IngestServiceTests.upsert("crm-1"), msgID: "a-1", via: client) == .ok(msgID: "a-1"))
            let foreign = try await harness.send("lead.upsert.globex", IngestServiceTests.upsert("crm-2"), msgID: "g-1", via: client)
            #expect(foreign == .error(msgID: "g-1", reason: IngestReason.notAuthorized.rawValue))
            let pipeline = try await harness.send(
                "pipeline.upsert.globex", try PipelineDecoderFixture.steps(), msgID: "g-2", via: client)
            #expect(pipeline == .error(msgID: "g-2", reason: IngestReason.notAuthorized.rawValue))
            // Counted once the batch's replies are out, so a moment after the client has its -ERR.
            try await eventually("both refusals are counted", timeout: .seconds(10)) {
                harness.ingest.statistics.unauthorized == 2
            }
            #expect(try await harness.count("SELECT count(*) FROM organizations WHERE id = 'globex'") == 0)

            // An unbound key may publish for any organization: globex is merely unknown to it.
            let other = try await Self.requester(harness, security, reporting)
            let unknown = try await harness.send("lead.upsert.globex", IngestServiceTests.upsert("crm-3"), msgID: "g-3", via: other)
            #expect(unknown == .error(msgID: "g-3", reason: IngestReason.unknownOrganization.rawValue))
            await client.close()
            await other.close()
        }
    }

    /// Events each subscriber heard, and upserts sent.
    final class Counts: Sendable {
        let bound = Atomic(0)
        let unbound = Atomic(0)
        let sent = Atomic(0)
    }

    @Test("a key bound to an organization publishes to ingest but cannot subscribe to every organization's events")
    func organizationKeysOnlyPublish() async throws {
        try await Self.withCurveIngest(ingestEvents: true) { harness, security, crm, reporting in
            let events = try await harness.ingestEventsEndpoint()
            func subscriber(_ keys: CurveKeyPair, _ name: String) async throws -> BusSubscriber {
                var options = SocketOptions()
                options.curve = .client(
                    publicKey: keys.publicKey, secretKey: keys.secretKey, serverPublicKey: security.keyPair!.publicKey)
                return try await BusSubscriber.start(
                    context: harness.context, name: name, endpoints: [.connect(events)],
                    patterns: [try SubjectPattern("lead.>")], options: options)
            }
            let bound = try await subscriber(crm, "test.crm-events")
            let unbound = try await subscriber(reporting, "test.reporting-events")
            let counts = Counts()
            let listening = [
                Task { while await bound.next() != nil { counts.bound.add(1, ordering: .relaxed) } },
                Task { while await unbound.next() != nil { counts.unbound.add(1, ordering: .relaxed) } },
            ]
            let client = try await Self.requester(harness, security, crm)
            try await harness.definePipeline(IngestServiceTests.steps, org: "acme", via: client)
            // Upserts until the unbound key hears acme's events (a subscription takes a moment to reach the PUB),
            // then ten more that it hears: the acme-bound key, connected as long, would have heard them too.
            @Sendable func upsert() async throws {
                let index = counts.sent.add(1, ordering: .relaxed).newValue
                _ = try await harness.send(
                    "lead.upsert.acme", IngestServiceTests.upsert("crm-\(index)"), msgID: "e-\(index)", via: client)
            }
            try await eventually("the unbound key hears an event", timeout: .seconds(20)) {
                try await upsert()
                return counts.unbound.load(ordering: .relaxed) > 0
            }
            let before = counts.unbound.load(ordering: .relaxed)
            for _ in 0..<10 { try await upsert() }
            try await eventually("the unbound key hears ten more", timeout: .seconds(20)) {
                counts.unbound.load(ordering: .relaxed) >= before + 10
            }
            #expect(counts.bound.load(ordering: .relaxed) == 0, "the acme-bound key heard no organization's events")
            await bound.close()
            await unbound.close()
            for task in listening { await task.value }
            await client.close()
        }
    }

    @Test("a plaintext client and a key not on the list are refused at the handshake; a listed client is unaffected")
    func refusedPeers() async throws {
        try await Self.withCurveIngest { harness, security, crm, _ in
            let plaintext = try await Self.requester(harness, security, nil)
            let stranger = try await Self.requester(harness, security, try CurveKeyPair.generate())
            let envelope = try EngineHarness.envelope("lead.upsert.acme", IngestServiceTests.upsert("x"), msgID: "x-1")
            async let plaintextAck = try? plaintext.request(envelope, timeout: .seconds(30))
            async let strangerAck = try? stranger.request(envelope, timeout: .seconds(30))
            try await eventually("both handshakes failed", timeout: .seconds(20)) {
                harness.ingest.refusedHandshakes >= 2
            }
            #expect(harness.ingest.statistics.batches == 0, "nothing of the refused peers reached ingest")
            let client = try await Self.requester(harness, security, crm)
            try await harness.definePipeline(IngestServiceTests.steps, org: "acme", via: client)
            // Closing the refused clients fails their requests; nothing of theirs was ever answered.
            await plaintext.close()
            await stranger.close()
            #expect(await plaintextAck == nil)
            #expect(await strangerAck == nil)
            #expect(try await harness.count("SELECT count(*) FROM processed_messages WHERE msg_id = 'x-1'") == 0)
            #expect(try await harness.count("SELECT count(*) FROM leads") == 0)
            #expect(harness.ingest.statistics.batches == 1, "the listed client's pipeline, and only it")
            await client.close()
        }
    }
}

/// A pipeline definition to publish in tests.
enum PipelineDecoderFixture {
    static func steps() throws -> Leadflow_V1_PipelineDefinition {
        try PipelineDecoder().decode(yaml: IngestServiceTests.steps)
    }
}
