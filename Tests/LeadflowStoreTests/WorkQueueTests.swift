import LeadflowDomain
import LeadflowProto
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// Outcomes, attempts and leases, and concurrent claimers.
@Suite("Work queue")
struct WorkQueueTests {
    @Test("a retry returns the action to pending with its delay; the attempts run out into dead")
    func retriesUntilDead() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            for attempt in 1...3 {
                let (claim, _) = try await engine.claim()
                let action = try #require(claim.dispatches.first)
                #expect(action.attempt == attempt)
                let events = try await engine.apply([
                    ActionOutcome(actionID: action.actionID, attempt: attempt, kind: .retry(delay: .zero), error: "HTTP 503")
                ])
                #expect(events.map(\.kind) == [attempt < 3 ? .actionRetrying : .actionDead])
            }
            #expect(try await engine.actions(of: "lead-1") == ["email:dead", "wait:blocked", "sms:blocked"])
            let error = try await engine.connection.query("SELECT last_error FROM lead_stage_actions WHERE type = 'email'")
                .scalar(String.self)
            #expect(error == "HTTP 503")
            #expect(try await engine.stages(of: "lead-1") == ["first:open"], "the lead's stage stops at a dead action")
        }
    }

    @Test("a retry is due after its delay, not before")
    func retryDelay() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let (claim, _) = try await engine.claim()
            let action = try #require(claim.dispatches.first)
            try await engine.apply([ActionOutcome(actionID: action.actionID, attempt: 1, kind: .retry(delay: .seconds(600)))])
            let (early, _) = try await engine.claim()
            #expect(early.dispatches.isEmpty)
            try await engine.timeTravel()
            let (later, _) = try await engine.claim()
            #expect(later.dispatches.map(\.attempt) == [2])
        }
    }

    @Test("a permanent failure is dead at once; a snooze gives the attempt back")
    func permanentAndSnooze() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["perm", "snooze"], pipeline: "steps")
            let (claim, _) = try await engine.claim()
            #expect(claim.dispatches.count == 2)
            let byLead = Dictionary(uniqueKeysWithValues: claim.dispatches.map { ($0.lead.externalID, $0) })
            try await engine.apply([
                ActionOutcome(actionID: byLead["perm"]!.actionID, attempt: 1, kind: .failedPermanently, error: "550 no such user"),
                ActionOutcome(actionID: byLead["snooze"]!.actionID, attempt: 1, kind: .snoozed(delay: .zero)),
            ])
            #expect(try await engine.actions(of: "perm").first == "email:dead")
            let (again, _) = try await engine.claim()
            #expect(again.dispatches.map(\.lead.externalID) == ["snooze"])
            #expect(again.dispatches.map(\.attempt) == [1], "a snooze does not use up an attempt")
        }
    }

    @Test("an outcome for a superseded attempt or a repeated outcome changes nothing")
    func staleOutcomes() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let (first, _) = try await engine.claim()
            let id = try #require(first.dispatches.first).actionID
            try await engine.apply([ActionOutcome(actionID: id, attempt: 1, kind: .retry(delay: .zero))])
            _ = try await engine.claim()
            let stale = try await engine.apply([ActionOutcome(actionID: id, attempt: 1, kind: .succeeded)])
            #expect(stale.isEmpty)
            #expect(try await engine.actions(of: "lead-1").first == "email:dispatched")
            try await engine.apply([ActionOutcome(actionID: id, attempt: 2, kind: .succeeded)])
            let repeated = try await engine.apply([ActionOutcome(actionID: id, attempt: 2, kind: .succeeded)])
            #expect(repeated.isEmpty)
            #expect(try await engine.actions(of: "lead-1") == ["email:succeeded", "wait:succeeded", "sms:pending"])
        }
    }

    @Test("dispatches carry the lead's fields and a stable idempotency key")
    func dispatchContents() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.upsert("lead-1", email: "ada@example.com", attributes: ["plan": "pro"])
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let (first, _) = try await engine.claim()
            let action = try #require(first.dispatches.first)
            #expect(action.lead.email == "ada@example.com")
            #expect(action.lead.attributes == ["plan": "pro"])
            try await engine.apply([ActionOutcome(actionID: action.actionID, attempt: 1, kind: .retry(delay: .zero))])
            let (second, _) = try await engine.claim()
            #expect(second.dispatches.first?.idempotencyKey == action.idempotencyKey)
            let configs = try await engine.connection.withTransaction { [id = action.pipelineActionID] in
                try WorkQueue.actionConfigs([id], on: $0)
            }
            #expect(configs[action.pipelineActionID]?.email.subject == "Hi {{first_name}}")
        }
    }

    @Test("concurrent claimers on separate connections take disjoint actions")
    func concurrentClaims() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            let ids = (0..<400).map { "lead-\($0)" }
            try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
                let engine = Engine(connection: connection)
                _ = try await engine.pipeline(TestPipelines.steps)
                try await engine.enroll(ids, pipeline: "steps")
            }
            let claimed = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
                            let engine = Engine(connection: connection)
                            var mine: [Int] = []
                            while true {
                                let (claim, _) = try await engine.claim(limit: 25)
                                if claim.dispatches.isEmpty { return mine }
                                mine += claim.dispatches.map(\.actionID)
                            }
                        }
                    }
                }
                return try await group.reduce(into: [[Int]]()) { $0.append($1) }
            }
            let all = claimed.flatMap { $0 }
            #expect(all.count == 400)
            #expect(Set(all).count == 400, "an action was claimed twice")
        }
    }

    @Test("a claim that finds nothing says when to look again: the next due action, or nil when nothing is scheduled")
    func wakeIn() async throws {
        try await withEngine { engine in
            let (idle, _) = try await engine.claim()
            #expect(idle.wakeIn == nil && !idle.wasFull)
            _ = try await engine.pipeline(TestPipelines.longWait)
            try await engine.enroll(["lead-1"], pipeline: "slow")
            let (claim, _) = try await engine.claim()
            try await engine.succeed(claim)
            let (waiting, _) = try await engine.claim()
            #expect(waiting.dispatches.isEmpty && waiting.internalCount == 0)
            let seconds = try #require(waiting.wakeIn).seconds
            #expect(seconds > 3500 && seconds <= 3600)
        }
    }
}

@Suite("Leases")
struct LeaseTests {
    @Test("an expired lease brings the action back with the next attempt and the same key; the lost attempt's late result is ignored")
    func expiredLease() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let (first, _) = try await engine.claim()
            let lost = try #require(first.dispatches.first)
            let (held, _) = try await engine.claim()
            #expect(held.dispatches.isEmpty, "a leased action is not dispatched again while its lease runs")

            try await engine.connection.execute(
                "UPDATE lead_stage_actions SET locked_until = now() - interval '1 minute' WHERE id = $1", [lost.actionID])
            let (again, _) = try await engine.claim()
            let retry = try #require(again.dispatches.first)
            #expect(retry.actionID == lost.actionID)
            #expect(retry.attempt == 2)
            #expect(retry.idempotencyKey == lost.idempotencyKey)

            let late = try await engine.apply([ActionOutcome(actionID: lost.actionID, attempt: 1, kind: .succeeded)])
            #expect(late.isEmpty, "the result of the lost attempt changes nothing")
            try await engine.apply([ActionOutcome(actionID: retry.actionID, attempt: 2, kind: .succeeded)])
            #expect(try await engine.actions(of: "lead-1") == ["email:succeeded", "wait:succeeded", "sms:pending"])
        }
    }

    @Test("an expired lease on the last attempt is a dead letter, announced as lead.action_dead")
    func expiredLastAttempt() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let (first, _) = try await engine.claim()
            let action = try #require(first.dispatches.first)
            try await engine.connection.execute(
                "UPDATE lead_stage_actions SET attempts = max_attempts, locked_until = now() - interval '1 minute' WHERE id = $1",
                [action.actionID])
            let (_, events) = try await engine.claim()
            let dead = try #require(events.first { $0.kind == .actionDead })
            #expect(dead.actionID == Int64(action.actionID) && dead.externalID == "lead-1")
            #expect(dead.error.hasPrefix("lease expired"))
            let row = try await engine.connection.query(
                "SELECT status, last_error FROM lead_stage_actions WHERE id = $1", [action.actionID])[0]
            let (status, error) = try row.decode((String, String?).self)
            #expect(status == "dead")
            #expect(error?.hasPrefix("lease expired") == true)
        }
    }

    @Test("within the grace after its lease an action is not dispatched again, and its result is applied as usual")
    func leaseGrace() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let (first, _) = try await engine.claim()
            let action = try #require(first.dispatches.first)
            // The lease ended a second ago: well within the 10 s grace.
            try await engine.connection.execute(
                "UPDATE lead_stage_actions SET locked_until = now() - interval '1 second' WHERE id = $1", [action.actionID])
            let (held, events) = try await engine.claim()
            #expect(held.dispatches.isEmpty)
            #expect(!events.contains { $0.kind == .actionRetrying })
            try await engine.apply([action.outcome()])
            #expect(try await engine.actions(of: "lead-1") == ["email:succeeded", "wait:succeeded", "sms:pending"])
        }
    }

    @Test("a late success for an action rescued but not dispatched again is applied: the lead goes on, nothing is sent twice")
    func lateSuccessAfterRescue() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let (first, _) = try await engine.claim()
            let action = try #require(first.dispatches.first)
            try await engine.connection.execute(
                "UPDATE lead_stage_actions SET locked_until = now() - interval '1 minute' WHERE id = $1", [action.actionID])
            // The rescue makes it pending; email is not claimed this time (its handlers are saturated, say).
            let (rescue, events) = try await engine.claimRecording(excluding: [.email])
            #expect(rescue.dispatches.isEmpty)
            #expect(events.events.contains { $0.kind == .actionRetrying && $0.actionID == Int64(action.actionID) })
            #expect(try await engine.actions(of: "lead-1") == ["email:pending", "wait:blocked", "sms:blocked"])

            let late = try await engine.apply([action.outcome()])
            #expect(late.contains { $0.kind == .actionSucceeded && $0.actionID == Int64(action.actionID) })
            #expect(try await engine.actions(of: "lead-1") == ["email:succeeded", "wait:succeeded", "sms:pending"])
            let (next, _) = try await engine.claim()
            #expect(next.dispatches.map(\.type) == [.sms], "the email is not dispatched again")
        }
    }

    @Test("a late success for an action whose last attempt's lease expired turns the dead letter into a success")
    func lateSuccessOfADeadLetter() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let (first, _) = try await engine.claim()
            let action = try #require(first.dispatches.first)
            try await engine.connection.execute(
                "UPDATE lead_stage_actions SET attempts = max_attempts, locked_until = now() - interval '1 minute' WHERE id = $1",
                [action.actionID])
            _ = try await engine.claim()
            #expect(try await engine.actions(of: "lead-1") == ["email:dead", "wait:blocked", "sms:blocked"])
            let attempts = try await engine.connection.query(
                "SELECT attempts FROM lead_stage_actions WHERE id = $1", [action.actionID]
            ).scalar(Int.self)!
            try await engine.apply([ActionOutcome(actionID: action.actionID, attempt: attempts, kind: .succeeded)])
            #expect(try await engine.actions(of: "lead-1") == ["email:succeeded", "wait:succeeded", "sms:pending"])
        }
    }

    @Test("a late success never revives an action that was canceled")
    func lateSuccessLimits() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let (first, _) = try await engine.claim()
            let action = try #require(first.dispatches.first)
            try await engine.connection.execute(
                "UPDATE lead_stage_actions SET status = 'canceled', locked_until = NULL WHERE id = $1", [action.actionID])
            let late = try await engine.apply([action.outcome()])
            #expect(late.isEmpty)
            #expect(try await engine.actions(of: "lead-1").first == "email:canceled")
        }
    }

    @Test("a claimed action that could not be dispatched is pending again at once: attempt given back, due after the delay, the reason kept")
    func returnUndispatched() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1", "lead-2"], pipeline: "steps")
            let (claim, _) = try await engine.claim()
            #expect(claim.dispatches.count == 2)
            let returned = try #require(claim.dispatches.first { $0.lead.externalID == "lead-1" })
            let kept = try #require(claim.dispatches.first { $0.lead.externalID == "lead-2" })
            let undispatched = [
                WorkQueue.Undispatched(actionID: returned.actionID, attempt: 1, reason: "no dispatcher for email actions"),
                // An attempt that is not the current one changes nothing.
                WorkQueue.Undispatched(actionID: kept.actionID, attempt: 7, reason: "stale"),
            ]
            let (ids, events) = try await engine.connection.withTransaction { connection in
                var events = LeadEventLog(recording: true)
                let ids = try WorkQueue.returnUndispatched(
                    undispatched, delay: .seconds(30), events: &events, on: connection)
                return (ids, events.take())
            }
            #expect(ids == [returned.actionID])
            #expect(events.map(\.kind) == [.actionRetrying])
            #expect(events.first?.error == "no dispatcher for email actions")

            let row = try #require(
                try await engine.connection.query(
                    """
                    SELECT status, attempts, last_error, locked_until IS NULL,
                           extract(epoch FROM perform_at - now())::float8
                    FROM lead_stage_actions WHERE id = $1
                    """, [returned.actionID]
                ).first)
            let (status, attempts, error, unlocked, dueIn) = try row.decode((String, Int, String?, Bool, Double).self)
            #expect(status == "pending")
            #expect(attempts == 0, "the attempt is given back: no handler saw it")
            #expect(error == "no dispatcher for email actions")
            #expect(unlocked)
            #expect(dueIn > 25 && dueIn <= 30, "due after the delay, not at once (got \(dueIn) s)")
            #expect(try await engine.actions(of: "lead-2") == ["email:dispatched", "wait:blocked", "sms:blocked"])

            // Not claimed again before the delay; after it, dispatched with the same first attempt.
            let (early, _) = try await engine.claim()
            #expect(early.dispatches.isEmpty)
            try await engine.timeTravel()
            let (later, _) = try await engine.claim()
            #expect(later.dispatches.map(\.actionID) == [returned.actionID])
            #expect(later.dispatches.map(\.attempt) == [1])
        }
    }
}
