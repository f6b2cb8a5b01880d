import LeadflowDomain
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// Internal actions a result makes due at once run in the result's transaction, so the lead's next external
/// action is due when the result commits instead of one claim later.
@Suite("Internal follow-ups")
struct InternalFollowUpTests {
    static let chain = """
        name: chain
        stages:
          - name: first
            actions:
              - email: {sender: "a@acme.test", subject: "s", text: "t"}
              - wait: 0s
              - move: last
          - name: skipped
            actions:
              - sms: {sender: "+15550001111", body: "never"}
          - name: last
            actions:
              - wait: 0s
              - end
        """

    /// `lead-1` enrolled in `steps` (email, wait 0s, sms), its email claimed.
    static func claimedEmail(_ engine: Engine) async throws -> ClaimedAction {
        _ = try await engine.pipeline(TestPipelines.steps)
        try await engine.enroll(["lead-1"], pipeline: "steps")
        let (first, _) = try await engine.claim()
        return try #require(first.dispatches.first)
    }

    @Test("a wait 0s after an email runs with the email's result; the sms is due when the result commits")
    func waitRunsWithTheResult() async throws {
        try await withEngine { engine in
            let email = try await Self.claimedEmail(engine)
            let applied = try await engine.applyReporting([email.outcome()])
            #expect(applied.internalActions.map(\.type) == [.wait])
            #expect(applied.internalActions.map(\.leadID) == [Int(email.lead.leadID)])
            #expect(try await engine.actions(of: "lead-1") == ["email:succeeded", "wait:succeeded", "sms:pending"])
            let sameTransaction = try await engine.connection.query(
                """
                SELECT bool_and(completed_at = (SELECT completed_at FROM lead_stage_actions WHERE type = 'email'))
                FROM lead_stage_actions WHERE type = 'wait'
                """
            ).scalar(Bool.self)
            #expect(sameTransaction == true)
            let (next, _) = try await engine.claim()
            #expect(next.dispatches.map(\.type) == [.sms])
            #expect(next.internalCount == 0)
        }
    }

    @Test(
        "a result that is not a success runs nothing after it",
        arguments: [
            ActionOutcome.Kind.retry(delay: .seconds(60)), .snoozed(delay: .seconds(60)), .failedPermanently,
            .inProgress,
        ])
    func onlySuccessesRunFollowUps(kind: ActionOutcome.Kind) async throws {
        try await withEngine { engine in
            let email = try await Self.claimedEmail(engine)
            let applied = try await engine.applyReporting([email.outcome(kind, error: "no")])
            #expect(applied.internalActions.isEmpty)
            #expect(try await engine.actions(of: "lead-1").dropFirst() == ["wait:blocked", "sms:blocked"])
        }
    }

    @Test("a wait with a duration is left to the claim that finds it due")
    func waitWithDurationWaits() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.longWait)
            try await engine.enroll(["lead-1"], pipeline: "slow")
            let (first, _) = try await engine.claim()
            let applied = try await engine.applyReporting(first.dispatches.map { $0.outcome() })
            #expect(applied.internalActions.isEmpty)
            #expect(try await engine.actions(of: "lead-1") == ["email:succeeded", "wait:pending", "sms:blocked"])
        }
    }

    @Test("a chain of internal actions (wait, move, wait, end) runs in the one transaction, in order")
    func chainRunsInOneTransaction() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(Self.chain)
            try await engine.enroll(["lead-1", "lead-2"], pipeline: "chain")
            let (first, _) = try await engine.claim()
            #expect(first.dispatches.count == 2)
            let applied = try await engine.applyReporting(first.dispatches.map { $0.outcome() })
            let byLead = Dictionary(grouping: applied.internalActions, by: \.leadID).mapValues { $0.map(\.type) }
            #expect(byLead.count == 2)
            #expect(byLead.values.allSatisfy { $0 == [.wait, .move, .wait, .end] })
            #expect(try await engine.stages(of: "lead-1") == ["first:moved", "last:ended"])
            #expect(try await engine.stages(of: "lead-2") == ["first:moved", "last:ended"])
            let (after, _) = try await engine.claim()
            #expect(after.dispatches.isEmpty && after.internalCount == 0, "nothing is left for a claim")
        }
    }

    @Test("a duplicate result runs no follow-up twice")
    func duplicateResult() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            let (first, _) = try await engine.claim()
            let outcomes = first.dispatches.map { $0.outcome() }
            #expect(try await engine.applyReporting(outcomes).internalActions.count == 1)
            #expect(try await engine.applyReporting(outcomes).internalActions.isEmpty)
            #expect(try await engine.actions(of: "lead-1") == ["email:succeeded", "wait:succeeded", "sms:pending"])
        }
    }
}
