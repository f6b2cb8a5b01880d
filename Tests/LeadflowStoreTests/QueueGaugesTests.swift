import Foundation
import LeadflowStore
import Postgres
import Testing

@Suite("Queue gauges")
struct QueueGaugesTests {
    static let pipeline = """
        name: onboarding
        stages:
          - name: welcome
            actions:
              - email: {sender: "test@leadflow.test", subject: "Hi", text: "Hello"}
              - sms: {sender: "+15550001111", body: "Hi"}
        """

    @Test("one statement reads backlog per type, oldest due age, in-flight per org and type, and dead letters")
    func levels() async throws {
        try await withEngine { engine in
            let empty = try await engine.connection.withTransaction { try QueueGauges.read(on: $0) }
            #expect(empty == QueueGauges())
            for org in ["acme", "globex"] {
                _ = try await engine.pipeline(Self.pipeline, org: org)
                for index in 0..<5 { try await engine.upsert("\(org)-\(index)", org: org) }
                try await engine.enroll((0..<5).map { "\(org)-\($0)" }, pipeline: "onboarding", org: org)
            }
            // acme's emails are due and three are claimed (one then fails for good: dead); globex's come due later.
            try await engine.connection.execute(
                "UPDATE lead_stage_actions SET perform_at = now() - interval '5 seconds' WHERE status = 'pending' AND org_id = 'acme'")
            try await engine.connection.execute(
                "UPDATE lead_stage_actions SET perform_at = now() + interval '1 hour' WHERE status = 'pending' AND org_id = 'globex'")
            let (claim, _) = try await engine.claim(limit: 3)
            try #require(claim.dispatches.count == 3)
            let failed = claim.dispatches[0]
            try await engine.apply([ActionOutcome(actionID: failed.actionID, attempt: failed.attempt, kind: .failedPermanently)])
            try await engine.connection.execute(
                "UPDATE lead_stage_actions SET perform_at = now() - interval '90 seconds' WHERE status = 'pending' AND org_id = 'globex'")

            let gauges = try await engine.connection.withTransaction { try QueueGauges.read(on: $0) }
            #expect(gauges.backlogByType == ["email": 7])
            #expect(gauges.backlog == 7)
            #expect(gauges.oldestDueAge >= 89 && gauges.oldestDueAge < 200)
            #expect(gauges.inFlight == [QueueGauges.Queue(org: "acme", type: "email"): 2])
            #expect(gauges.deadLetters == 1)
            #expect(gauges.paused.isEmpty)

            try await engine.connection.withTransaction { connection in
                _ = try OrganizationPauses.pause(org: "globex", scope: .channel(.sms), by: .init(tokenID: nil, name: "t"), reason: nil, on: connection)
                _ = try OrganizationPauses.pause(org: "acme", scope: .all, by: .init(tokenID: nil, name: "t"), reason: nil, on: connection)
                try OrganizationPauses.resume(org: "acme", scope: .all, by: .init(tokenID: nil, name: "t"), on: connection)
                _ = try OrganizationPauses.pause(
                    org: "acme", scope: .pipeline("onboarding"), by: .init(tokenID: nil, name: "t"), reason: nil, on: connection)
            }
            let paused = try await engine.connection.withTransaction { try QueueGauges.read(on: $0) }
            #expect(
                paused.paused == [QueueGauges.Queue(org: "globex", type: "sms"), QueueGauges.Queue(org: "acme", type: "pipeline:onboarding")],
                "only pauses in force")
        }
    }
}
