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
            await #expect(throws: OrganizationPauses.Failure.notPaused(org: "acme", scope: .channel(.email))) {
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

    // MARK: Pipelines

    @Test("a paused pipeline's pending actions are held out of the queue; the organization's other pipelines run; resumed, they run")
    func pausePipeline() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            _ = try await engine.pipeline(TestPipelines.reach)
            try await engine.enroll(["a-1"], pipeline: "steps")
            try await engine.enroll(["a-2"], pipeline: "reach")
            let pause = try await Self.pause("acme", .pipeline("steps"), engine)
            #expect(pause.scope == "pipeline" && pause.pipeline == "steps" && pause.actions == 1)
            #expect(try await engine.actions(of: "a-1") == ["email:held", "wait:blocked", "sms:blocked"])
            let (claim, _) = try await engine.claim()
            #expect(claim.dispatches.map(\.lead.externalID) == ["a-2"], "the other pipeline of acme runs")
            #expect(claim.heldCount == 0, "nothing of steps was pending any more")
            let wait = try await LeadWaitsTests.waits("a-1", engine)
            guard case .paused(let scope, _, let by, let reason) = wait[0].reason else { Issue.record("\(wait)"); return }
            #expect(scope == "pipeline" && by == "cli:test" && reason == "provider incident")
            #expect(wait[0].explanation.contains("held: the pipeline steps paused since"), "\(wait[0].explanation)")
            let listed = try await engine.connection.withTransaction { try PipelineCatalog.list(org: "acme", on: $0) }
            #expect(listed.map(\.name) == ["reach", "steps"] && listed.map { $0.pause?.pipeline } == [nil, "steps"])

            let resumed = try await engine.connection.withTransaction {
                try OrganizationPauses.resume(org: "acme", scope: .pipeline("steps"), by: .init(tokenID: nil, name: "cli:test"), on: $0)
            }
            #expect(resumed.actions == 1 && resumed.resumedBy == "cli:test")
            let (next, _) = try await engine.claim()
            #expect(next.dispatches.map(\.lead.externalID) == ["a-1"] && next.dispatches.map(\.type) == [.email])
        }
    }

    @Test("work of a paused pipeline that falls due later — after a result, a new enrollment — is held by the claim, never run")
    func pipelineHoldsLaterWork() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["a-1"], pipeline: "steps")
            let (claim, _) = try await engine.claim()
            let email = try #require(claim.dispatches.first)
            let pause = try await Self.pause("acme", .pipeline("steps"), engine)
            #expect(pause.actions == 0, "the email is in flight, not pending")
            // The email in flight succeeds; the `wait 0s` after it falls due but its follow-up does not run it.
            try await engine.apply([email.outcome()])
            #expect(try await engine.actions(of: "a-1") == ["email:succeeded", "wait:pending", "sms:blocked"])
            try await engine.enroll(["a-2"], pipeline: "steps")
            let (held, _) = try await engine.claim()
            #expect(held.heldCount == 2 && held.dispatches.isEmpty && held.internalActions.isEmpty)
            #expect(try await engine.actions(of: "a-1") == ["email:succeeded", "wait:held", "sms:blocked"])
            #expect(try await engine.actions(of: "a-2") == ["email:held", "wait:blocked", "sms:blocked"])
            let (again, _) = try await engine.claim()
            #expect(again.heldCount == 0, "a held action is out of the queue: no claim reads it again")

            try await Self.resume("acme", .pipeline("steps"), engine)
            let (resumed, _) = try await engine.claim()
            #expect(resumed.dispatches.map(\.lead.externalID) == ["a-2"])
            #expect(resumed.internalActions.map(\.type) == [.wait])
        }
    }

    @Test("a retry, and a lead moved to another stage, of a paused pipeline are held by the claim; resumed, they run")
    func pipelineHoldsRetriesAndMoves() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["a-1", "a-2"], pipeline: "steps")
            let (claim, _) = try await engine.claim()
            let first = try #require(claim.dispatches.first { $0.lead.externalID == "a-1" })
            let second = try #require(claim.dispatches.first { $0.lead.externalID == "a-2" })
            _ = try await Self.pause("acme", .pipeline("steps"), engine)
            _ = try await engine.apply([first.outcome(.retry(delay: .zero), error: "421 try later"), second.outcome()])
            #expect(try await engine.actions(of: "a-1") == ["email:pending", "wait:blocked", "sms:blocked"])
            let due = "SELECT a.perform_at FROM lead_stage_actions a WHERE a.id = $1"
            let retryDue = try await engine.connection.query(due, [first.actionID]).scalar(Date.self)
            _ = try await engine.connection.withTransaction { connection in
                try LeadControls.move(
                    .init(org: "acme", externalID: "a-2", pipeline: "steps"), to: "second", dryRun: false,
                    by: .init(tokenID: nil, name: "cli:test"), defaultMaxAttempts: 3, on: connection)
            }
            #expect(try await engine.actions(of: "a-2") == ["email:succeeded", "wait:canceled", "sms:canceled", "webhook:pending"])

            let (held, _) = try await engine.claim()
            #expect(held.heldCount == 2, "held \(held.heldCount)")
            #expect(held.dispatches.isEmpty)
            #expect(held.internalActions.isEmpty)
            #expect(try await engine.actions(of: "a-1") == ["email:held", "wait:blocked", "sms:blocked"])
            #expect(try await engine.actions(of: "a-2") == ["email:succeeded", "wait:canceled", "sms:canceled", "webhook:held"])
            let (again, _) = try await engine.claim()
            #expect(again.heldCount == 0, "held once: out of the queue, no claim reads it again")

            try await Self.resume("acme", .pipeline("steps"), engine)
            #expect(try await engine.connection.query(due, [first.actionID]).scalar(Date.self) == retryDue, "due when it was")
            let (resumed, _) = try await engine.claim()
            #expect(resumed.dispatches.map { "\($0.lead.externalID):\($0.type.rawValue):\($0.attempt)" }.sorted() == ["a-1:email:2", "a-2:webhook:1"])
        }
    }

    @Test("a lead's held actions are canceled with its open work; its timeline shows only the pauses of pipelines it was in")
    func pipelineCancelAndTimeline() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            _ = try await engine.pipeline(TestPipelines.reach)
            try await engine.enroll(["a-1"], pipeline: "steps")
            try await engine.enroll(["a-2"], pipeline: "reach")
            _ = try await Self.pause("acme", .pipeline("steps"), engine)
            let (paused, other) = try await engine.connection.withTransaction { connection in
                let first = try #require(try LeadRecord.find(org: "acme", externalID: "a-1", on: connection))
                let second = try #require(try LeadRecord.find(org: "acme", externalID: "a-2", on: connection))
                return (
                    try LeadHistory.timelineWithPauses(of: first, limit: 100, on: connection).filter { $0.id == 0 },
                    try LeadHistory.timelineWithPauses(of: second, limit: 100, on: connection).filter { $0.id == 0 }
                )
            }
            #expect(paused.map(\.kind) == ["paused"] && paused.map(\.pipeline) == ["steps"] && paused.map(\.channel) == ["pipeline"])
            #expect(other.isEmpty, "a-2 was never in steps: \(other)")

            let report = try await engine.connection.withTransaction {
                try LeadControls.cancel(
                    .init(org: "acme", externalID: "a-1"), reason: "wrong list", dryRun: false,
                    by: .init(tokenID: nil, name: "cli:test"), on: $0)
            }
            #expect(report.actions == 3)
            #expect(try await engine.actions(of: "a-1") == ["email:canceled", "wait:canceled", "sms:canceled"])
        }
    }

    @Test("an email unsubscribe cancels a held email, and the lead goes on to its next action, held in turn")
    func pipelineUnsubscribe() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.reach)
            try await engine.enroll(["a-1"], pipeline: "reach")
            _ = try await Self.pause("acme", .pipeline("reach"), engine)
            _ = try await engine.unsubscribe("a-1", channel: .email)
            #expect(try await engine.actions(of: "a-1") == ["email:canceled", "sms:pending", "webhook:blocked"])
            let (claim, _) = try await engine.claim()
            #expect(claim.heldCount == 1 && claim.dispatches.isEmpty)
        }
    }

    @Test("a paused pipeline's wait-for-reply still times out; the action it leads to is held")
    func pipelineReplyTimeout() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.chat)
            try await engine.enroll(["a-1"], pipeline: "chat")
            _ = try await engine.claim()
            _ = try await Self.pause("acme", .pipeline("chat"), engine)
            try await engine.timeTravel()
            let (claim, _) = try await engine.claim()
            #expect(claim.internalActions.map(\.type) == [.waitForReply], "the time-out fires")
            #expect(try await engine.stages(of: "a-1") == ["ask:timed_out", "cold:open"])
            #expect(try await engine.actions(of: "a-1") == ["wait_for_reply:succeeded", "end:pending"], "its follow-up does not run it")
            let (held, _) = try await engine.claim()
            #expect(held.heldCount == 1 && held.internalActions.isEmpty)
            #expect(try await engine.actions(of: "a-1") == ["wait_for_reply:succeeded", "end:held"])
        }
    }

    @Test("pausing an unknown pipeline, or one already paused, and resuming one that is not, are refused")
    func pipelineRefusals() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            await #expect(throws: OrganizationPauses.Failure.unknownPipeline(org: "acme", pipeline: "nope")) {
                _ = try await Self.pause("acme", .pipeline("nope"), engine)
            }
            await #expect(throws: OrganizationPauses.Failure.notPaused(org: "acme", scope: .pipeline("steps"))) {
                try await Self.resume("acme", .pipeline("steps"), engine)
            }
            var first = try await Self.pause("acme", .pipeline("steps"), engine)
            first.actions = nil
            await #expect(throws: OrganizationPauses.Failure.alreadyPaused(first)) {
                _ = try await Self.pause("acme", .pipeline("steps"), engine)
            }
            // A pipeline pause and an organization pause are separate scopes.
            _ = try await Self.pause("acme", .all, engine)
            let scopes = try await engine.connection.withTransaction { try OrganizationPauses.list(org: "acme", on: $0) }
            #expect(scopes.map(\.scope) == ["all", "pipeline"])
        }
    }
}
