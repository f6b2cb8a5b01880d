import Foundation
import LeadflowDomain
import LeadflowStore
import Testing

@Suite("Pausing an organization's work")
struct OrganizationPausesTests {
    static func pause(
        _ org: String, _ scope: OrganizationPauses.Scope, _ engine: Engine
    ) async throws -> OrganizationPauses.Pause {
        try await engine.connection.withTransaction {
            try OrganizationPauses.pause(org: org, scope: scope, by: .init(tokenID: nil, name: "cli:test"), reason: "provider incident", on: $0)
        }
    }

    static func resume(_ org: String, _ scope: OrganizationPauses.Scope, _ engine: Engine) async throws {
        try await engine.connection.withTransaction { try OrganizationPauses.resume(org: org, scope: scope, by: .init(tokenID: nil, name: "cli:test"), on: $0) }
    }

    @Test("a paused organization's due work is not claimed, another's is; resumed, it is claimed")
    func pauseAll() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            _ = try await engine.pipeline(TestPipelines.steps, org: "beta")
            try await engine.enroll(["a-1"], pipeline: "steps")
            try await engine.enroll(["b-1"], pipeline: "steps", org: "beta")
            _ = try await Self.pause("acme", .all, engine)
            let (claim, _) = try await engine.claim()
            #expect(claim.dispatches.map(\.org) == ["beta"])
            let wait = try await LeadWaitsTests.waits("a-1", engine)
            guard case .paused(let scope, _, let by, let reason) = wait[0].reason else { Issue.record("\(wait)"); return }
            #expect(scope == "all" && by == "cli:test" && reason == "provider incident")
            #expect(wait[0].explanation.contains("the organization's work paused since"))

            try await Self.resume("acme", .all, engine)
            let (resumed, _) = try await engine.claim()
            #expect(resumed.dispatches.map(\.org) == ["acme"])
        }
    }

    @Test("a paused organization's internal follow-ups do not run; in-flight work finishes")
    func inFlightFinishes() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["a-1"], pipeline: "steps")
            let (claim, _) = try await engine.claim()
            let email = try #require(claim.dispatches.first)
            _ = try await Self.pause("acme", .all, engine)
            // The email in flight succeeds; the `wait 0s` after it falls due but is not run while paused.
            try await engine.apply([email.outcome()])
            #expect(try await engine.actions(of: "a-1") == ["email:succeeded", "wait:pending", "sms:blocked"])
            try await Self.resume("acme", .all, engine)
            let (resumed, _) = try await engine.claim()
            #expect(resumed.internalActions.map(\.type) == [.wait], "resumed, the claim runs the wait")
            let (next, _) = try await engine.claim()
            #expect(next.dispatches.map(\.type) == [.sms])
        }
    }

    @Test("a paused channel holds only that channel's actions")
    func pauseChannel() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["a-1"], pipeline: "steps")
            _ = try await Self.pause("acme", .channel(.sms), engine)
            let (claim, _) = try await engine.claim()
            let email = try #require(claim.dispatches.first)
            #expect(email.type == .email, "email is not paused")
            try await engine.apply([email.outcome()])
            // The wait runs (internal work is not the SMS channel's); the SMS is due and held.
            let (held, _) = try await engine.claim()
            #expect(held.dispatches.isEmpty)
            let waits = try await LeadWaitsTests.waits("a-1", engine)
            #expect(waits.first?.type == "sms")
            guard case .paused(let scope, _, _, _) = waits.first?.reason else { Issue.record("\(waits)"); return }
            #expect(scope == "sms" && waits[0].explanation.contains("sms actions paused"))
        }
    }

    @Test("conflicts and unknown organizations are refused with what is wrong; nothing is half-applied")
    func refusals() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            let first = try await Self.pause("acme", .all, engine)
            await #expect(throws: OrganizationPauses.Failure.alreadyPaused(first)) {
                _ = try await Self.pause("acme", .all, engine)
            }
            await #expect(throws: OrganizationPauses.Failure.notPaused(org: "acme", scope: "email")) {
                try await Self.resume("acme", .channel(.email), engine)
            }
            await #expect(throws: OrganizationPauses.Failure.unknownOrganization("nope")) {
                _ = try await Self.pause("nope", .all, engine)
            }
            let listed = try await engine.connection.withTransaction { try OrganizationPauses.list(on: $0) }
            #expect(listed == [first])
        }
    }

    @Test("a lead's timeline shows the pauses it lived through, with who paused and resumed, and why")
    func timeline() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["a-1"], pipeline: "steps")
            _ = try await Self.pause("acme", .channel(.email), engine)
            try await Self.resume("acme", .channel(.email), engine)
            _ = try await Self.pause("acme", .all, engine)
            let entries = try await engine.connection.withTransaction { connection in
                let lead = try #require(try LeadRecord.find(org: "acme", externalID: "a-1", on: connection))
                return try LeadHistory.timelineWithPauses(of: lead, limit: 100, on: connection)
            }
            let pauses = entries.filter { $0.id == 0 }
            #expect(pauses.map(\.kind) == ["paused", "resumed", "paused"])
            #expect(pauses.map(\.channel) == ["email", "email", "all"])
            #expect(pauses.allSatisfy { $0.actor == "cli:test" } && pauses.first?.reason == "provider incident")
        }
    }

    @Test("a paused organization's wait-for-reply time-outs do not run, and set no wake time")
    func replyTimeouts() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.chat)
            try await engine.enroll(["a-1"], pipeline: "chat")
            _ = try await engine.claim()
            _ = try await Self.pause("acme", .all, engine)
            try await engine.timeTravel()
            let (claim, _) = try await engine.claim()
            #expect(claim.internalActions.isEmpty && claim.wakeIn == nil, "\(claim.internalActions) \(String(describing: claim.wakeIn))")
            #expect(try await engine.actions(of: "a-1") == ["wait_for_reply:waiting"])
            try await Self.resume("acme", .all, engine)
            let (resumed, _) = try await engine.claim()
            #expect(resumed.internalActions.contains { $0.type == .waitForReply })
        }
    }
}
