import LeadflowDomain
import LeadflowProto
import LeadflowStore
import Postgres
import Testing

/// The pipeline semantics as the store runs them: serial actions, waits, moves, ends, replies and time-outs,
/// unsubscribes and deletes — against a real, migrated PostgreSQL.
@Suite("Engine semantics")
struct EngineSemanticsTests {
    @Test("actions of a stage run one after another; the last one moves the lead to the next stage")
    func serialOrder() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            #expect(try await engine.actions(of: "lead-1") == ["email:pending", "wait:blocked", "sms:blocked"])

            let (first, _) = try await engine.claim()
            #expect(first.dispatches.map(\.type) == [.email])
            #expect(first.dispatches.map(\.attempt) == [1])
            let (idle, _) = try await engine.claim()
            #expect(idle.dispatches.isEmpty && idle.internalCount == 0, "the sms must wait for the email")

            // The `wait 0s` is due the moment the email succeeds: it runs in the result's transaction.
            try await engine.succeed(first)
            #expect(try await engine.actions(of: "lead-1") == ["email:succeeded", "wait:succeeded", "sms:pending"])
            let (sms, _) = try await engine.claim()
            #expect(sms.dispatches.map(\.type) == [.sms])
            try await engine.succeed(sms)
            #expect(try await engine.stages(of: "lead-1") == ["first:completed", "second:open"])

            let (webhook, _) = try await engine.claim()
            #expect(webhook.dispatches.map(\.type) == [.webhook])
            try await engine.succeed(webhook)
            #expect(try await engine.stages(of: "lead-1") == ["first:completed", "second:completed"])
            #expect(
                try await engine.actions(of: "lead-1")
                    == ["email:succeeded", "wait:succeeded", "sms:succeeded", "webhook:succeeded"])
        }
    }

    @Test("a wait holds the next action back until its time has come")
    func waitHoldsBack() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.longWait)
            try await engine.enroll(["lead-1"], pipeline: "slow")
            let (email, _) = try await engine.claim()
            try await engine.succeed(email)
            let (early, _) = try await engine.claim()
            #expect(early.dispatches.isEmpty && early.internalCount == 0)
            let due = try await engine.connection.query(
                "SELECT perform_at - now() > interval '59 minutes' FROM lead_stage_actions WHERE type = 'wait'"
            ).scalar(Bool.self)
            #expect(due == true, "the wait is due an hour after the email succeeded")

            try await engine.timeTravel()
            let (wait, _) = try await engine.claim()
            #expect(wait.internalCount == 1)
            let (sms, _) = try await engine.claim()
            #expect(sms.dispatches.map(\.type) == [.sms])
        }
    }

    @Test("move enters its target stage, skipping the ones between; end leaves the pipeline")
    func moveAndEnd() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.router)
            try await engine.enroll(["lead-1"], pipeline: "router")
            // The end is due as soon as the move enters its stage: one claim runs both.
            let (claim, events) = try await engine.claim()
            #expect(claim.internalActions.map(\.type) == [.move, .end])
            #expect(try await engine.stages(of: "lead-1") == ["a:moved", "c:ended"])
            #expect(events.map(\.kind).contains(.stageEntered))
            #expect(events.map(\.kind).contains(.pipelineEnded))
            #expect(try await engine.actions(of: "lead-1") == ["move:succeeded", "end:succeeded"])
        }
    }

    @Test("a reply on the awaited channel sends the lead to the on_reply stage; other channels do not count")
    func replyAnswered() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.chat)
            try await engine.enroll(["lead-1"], pipeline: "chat")
            _ = try await engine.claim()
            #expect(try await engine.actions(of: "lead-1") == ["wait_for_reply:waiting"])

            try await engine.reply("lead-1", channel: .email)
            #expect(try await engine.actions(of: "lead-1") == ["wait_for_reply:waiting"])
            try await engine.reply("lead-1", channel: .sms)
            #expect(try await engine.stages(of: "lead-1") == ["ask:replied", "sales:open"])
            #expect(try await engine.actions(of: "lead-1") == ["wait_for_reply:succeeded", "webhook:pending"])
        }
    }

    @Test("an unanswered wait_for_reply times out into its then stage")
    func replyTimedOut() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.chat)
            try await engine.enroll(["lead-1"], pipeline: "chat")
            _ = try await engine.claim()
            let (early, _) = try await engine.claim()
            #expect(early.internalCount == 0, "an hour has not passed")
            try await engine.timeTravel()
            let (timedOut, _) = try await engine.claim()
            #expect(timedOut.internalActions.map(\.type) == [.waitForReply, .end], "the cold stage's end follows at once")
            #expect(try await engine.stages(of: "lead-1") == ["ask:timed_out", "cold:ended"])
        }
    }

    @Test("without targets, a reply and a time-out both run the next action")
    func replyThenNext() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.replyThenNext)
            try await engine.enroll(["answers", "silent"], pipeline: "nudge")
            _ = try await engine.claim()
            try await engine.reply("answers", channel: .email)
            #expect(try await engine.actions(of: "answers") == ["wait_for_reply:succeeded", "email:pending"])
            #expect(try await engine.actions(of: "silent") == ["wait_for_reply:waiting", "email:blocked"])
            try await engine.timeTravel()
            _ = try await engine.claim()
            #expect(try await engine.actions(of: "silent").first == "wait_for_reply:succeeded")
        }
    }

    @Test("unsubscribe cancels the lead's unfinished actions and later enrolls are ignored")
    func unsubscribe() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            try await engine.unsubscribe("lead-1")
            #expect(try await engine.actions(of: "lead-1") == ["email:canceled", "wait:canceled", "sms:canceled"])
            #expect(try await engine.stages(of: "lead-1") == ["first:unsubscribed"])
            let (claim, _) = try await engine.claim()
            #expect(claim.dispatches.isEmpty)
            let events = try await engine.enroll(["lead-1"], pipeline: "steps")
            #expect(events.isEmpty)
            #expect(try await engine.stages(of: "lead-1") == ["first:unsubscribed"])
        }
    }

    @Test("delete erases the lead's personal data, keeps a tombstone and cancels its work")
    func delete() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.upsert("lead-1", email: "ada@example.com", attributes: ["plan": "pro"])
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let (claim, _) = try await engine.claim()
            try await engine.delete("lead-1")
            let row = try await engine.connection.query(
                "SELECT email IS NULL, attributes = '{}', deleted_at IS NOT NULL FROM leads WHERE external_id = 'lead-1'"
            )[0]
            #expect(try row.decode((Bool, Bool, Bool).self) == (true, true, true))
            #expect(try await engine.actions(of: "lead-1") == ["email:canceled", "wait:canceled", "sms:canceled"])
            // The in-flight email's late success changes nothing.
            try await engine.succeed(claim)
            #expect(try await engine.actions(of: "lead-1").first == "email:canceled")
            try await engine.upsert("lead-1", email: "back@example.com")
            let email = try await engine.connection.query("SELECT email FROM leads WHERE external_id = 'lead-1'")
                .scalar(String?.self)
            #expect(email == .some(nil), "a deleted lead stays erased")
        }
    }

    @Test("enrolling a lead already in the pipeline changes nothing; naming another stage moves it")
    func reEnroll() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let again = try await engine.enroll(["lead-1"], pipeline: "steps")
            #expect(again.isEmpty)
            try await engine.enroll(["lead-1"], pipeline: "steps", stage: "second")
            #expect(try await engine.stages(of: "lead-1") == ["first:moved", "second:open"])
            #expect(
                try await engine.actions(of: "lead-1") == ["email:canceled", "wait:canceled", "sms:canceled", "webhook:pending"])
        }
    }
}
