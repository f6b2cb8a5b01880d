import Foundation
import LeadflowBenchmarks
import LeadflowClient
import LeadflowConfig
import LeadflowDomain
import LeadflowEngine
import LeadflowPipeline
import LeadflowProto
import LeadflowStore
import LeadflowTestKit
import Postgres
import Synchronization
import Testing

/// One tenant's huge backlog next to another tenant's few leads, through the whole engine.
@Suite("Noisy neighbour")
struct NoisyNeighbourTests {
    static let bigLeads = 50_000
    static let bigInFlight = 200

    @Test("a tenant's 50,000-lead backlog does not hold back another tenant's 100 leads; its in-flight count stays within its limit")
    func smallTenantIsNotStarved() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let values = try ConfigValues(
                keys: LeadflowSettings.keys,
                overrides: [
                    "database.url": url, "ingest.endpoint": "tcp://127.0.0.1:*", "ingest.events_endpoint": "",
                    "scheduler.events_endpoint": "", "handler.email.driver": "log",
                ])
            let settings = try LeadflowSettings.resolve(values)
            try await LocalEngine.withRunning(settings: settings, databaseURL: url, logger: EngineHarness.logger) { engine in
                let client = try await LeadflowClient.connect(
                    to: try await engine.ingestEndpoint(), context: engine.context, logger: EngineHarness.logger)
                let pipeline = try PipelineDecoder().decode(yaml: """
                    name: mail
                    stages:
                      - name: only
                        actions:
                          - email: {sender: "a@acme.test", subject: "s", text: "t"}
                    """)
                _ = try await client.upsertPipeline(org: "big", pipeline)
                _ = try await client.upsertPipeline(org: "small", pipeline)
                let database = engine.database
                // The big tenant may send as fast as the engine goes, but only 200 at a time.
                try await database.withTransaction { connection in
                    try OrganizationLimits.set(
                        .init(maxInFlight: Self.bigInFlight, ratePerSecond: 1_000_000, burst: 1_000_000), org: "big",
                        channels: [.email], on: connection)
                }
                // The big import lands at once, as one set-wise write, so its whole backlog is due together.
                try await BulkEnrollment.write(org: "big", count: Self.bigLeads, prefix: "b", pipeline: "mail", database: database)

                let inFlight = InFlightWatch(database: database, org: "big")
                let watching = Task { try await inFlight.watch() }
                defer { watching.cancel() }
                // The small tenant arrives once the big backlog is draining.
                try await eventually("the big backlog drains", timeout: .seconds(60)) {
                    try await NoisyNeighbourRun.done(org: "big", database) > 0
                }
                for index in 0..<100 { _ = try await client.upsertLead(org: "small", .with {
                        $0.externalID = "s-\(index)"
                        $0.email = "s-\(index)@small.test"
                    }) }
                let outcomes = try await client.enroll(org: "small", leads: (0..<100).map { index in
                    .with {
                        $0.externalID = "s-\(index)"
                        $0.pipeline = "mail"
                    }
                })
                #expect(outcomes.allSatisfy { if case .success = $0 { true } else { false } })

                try await eventually("the small tenant is done", timeout: .seconds(120)) {
                    try await NoisyNeighbourRun.done(org: "small", database) == 100
                }
                let bigDoneWhenSmallFinished = try await NoisyNeighbourRun.done(org: "big", database)
                #expect(
                    bigDoneWhenSmallFinished < Self.bigLeads / 2,
                    "the small tenant finished only after \(bigDoneWhenSmallFinished) of the big tenant's actions")

                try await eventually("the big tenant is done", timeout: .seconds(300)) {
                    try await NoisyNeighbourRun.done(org: "big", database) == Self.bigLeads
                }
                watching.cancel()
                let observed = inFlight.maximum
                #expect(observed <= Self.bigInFlight, "the big tenant had \(observed) actions in flight")
                #expect(observed > 0, "the watch saw the big tenant's work in flight")
                await client.close()
            }
        }
    }
}

/// The most actions of one organization seen dispatched at once, sampled from the database without pause.
final class InFlightWatch: Sendable {
    let database: PostgresClient
    let org: String
    private let highest = Atomic<Int>(0)

    init(database: PostgresClient, org: String) {
        self.database = database
        self.org = org
    }

    var maximum: Int { highest.load(ordering: .relaxed) }

    func watch() async throws {
        while !Task.isCancelled {
            let count = try await database.query(
                "SELECT count(*) FROM lead_stage_actions WHERE org_id = $1 AND status = 'dispatched'", [org]
            ).scalar(Int.self) ?? 0
            highest.max(count, ordering: .relaxed)
        }
    }
}
