import Foundation
import LeadflowDomain
import LeadflowStore
import Testing

/// "Why is it waiting", each reason produced by the real state that causes it and read back through
/// ``LeadWaits``, the same rules the claim applies.
@Suite("Why a lead's action waits")
struct LeadWaitsTests {
    static func waits(_ externalID: String, _ engine: Engine) async throws -> [ActionWait] {
        let defaults = engine.settings.limits
        return try await engine.connection.withTransaction { connection in
            let lead = try #require(try LeadRecord.find(org: "acme", externalID: externalID, on: connection))
            return try LeadWaits.explain(leadID: lead.id, defaults: defaults, on: connection)
        }
    }

    @Test("queued, blocked behind the action before it, with a handler, scheduled after a retry, dead")
    func lifecycle() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            try await engine.enroll(["lead-2"], pipeline: "steps")
            // lead-1's email fell due first: the claim takes it first, and lead-2's waits behind it.
            #expect(try await Self.waits("lead-1", engine).first?.reason == .queued(ahead: 0))
            var waits = try await Self.waits("lead-2", engine)
            #expect(waits.map(\.type) == ["email", "wait", "sms"])
            #expect(waits[0].reason == .queued(ahead: 1))
            #expect(waits[0].explanation == "due now, behind 1 due actions of the same organization and type")
            #expect(waits[1].reason == .blocked(behindActionID: waits[0].actionID, behindType: "email", behindStatus: "pending"))
            #expect(waits[2].reason == .blocked(behindActionID: waits[1].actionID, behindType: "wait", behindStatus: "blocked"))

            let (claim, _) = try await engine.claim()
            let dispatch = try #require(claim.dispatches.first { $0.lead.externalID == "lead-2" })
            waits = try await Self.waits("lead-2", engine)
            guard case .withHandler(let since, let lease) = waits[0].reason else { Issue.record("\(waits[0])"); return }
            #expect(since != nil && lease != nil && lease! > since!)

            try await engine.apply([dispatch.outcome(.retry(delay: .seconds(3600)), error: "421 try later")])
            waits = try await Self.waits("lead-2", engine)
            guard case .scheduled(let due) = waits[0].reason else { Issue.record("\(waits[0])"); return }
            #expect(due > Date().addingTimeInterval(3000))
            #expect(waits[0].lastError == "421 try later" && waits[0].explanation.contains("421 try later"))

            try await engine.timeTravel()
            let (again, _) = try await engine.claim()
            let retry = try #require(again.dispatches.first { $0.lead.externalID == "lead-2" })
            try await engine.apply([retry.outcome(.failedPermanently, error: "550 no such user")])
            waits = try await Self.waits("lead-2", engine)
            #expect(waits[0].reason == .dead && waits[0].explanation.contains("550 no such user"))
        }
    }

    /// Enrolls two leads under `change` limits on email and claims once; returns the lead the claim left.
    static func claimOneOfTwo(_ change: OrganizationLimits.Change, _ engine: Engine) async throws -> String {
        _ = try await engine.pipeline(TestPipelines.steps)
        try await engine.connection.withTransaction {
            try OrganizationLimits.set(change, org: "acme", channels: [.email], on: $0)
        }
        try await engine.enroll(["lead-1", "lead-2"], pipeline: "steps")
        let (claim, _) = try await engine.claim()
        #expect(claim.dispatches.count == 1, "the claim itself held the second back")
        return claim.dispatches.first?.lead.externalID == "lead-1" ? "lead-2" : "lead-1"
    }

    @Test("held by the organization's in-flight limit, with the count the claim reads")
    func inFlightLimit() async throws {
        try await withEngine { engine in
            let waiting = try await Self.claimOneOfTwo(.init(maxInFlight: 1), engine)
            let waits = try await Self.waits(waiting, engine)
            #expect(waits[0].reason == .inFlightLimit(inFlight: 1, maxInFlight: 1))
            #expect(waits[0].explanation.contains("1 of 1 in flight"))
        }
    }

    @Test("held by the organization's rate limit, with the time of the next token, as the claim holds it")
    func rateLimit() async throws {
        try await withEngine { engine in
            // One token, spent on the first dispatch; at 0.001/s the next is about 1000 s away.
            let waiting = try await Self.claimOneOfTwo(.init(maxInFlight: 100, ratePerSecond: 0.001, burst: 1), engine)
            let waits = try await Self.waits(waiting, engine)
            guard case .rateLimited(let next, let rate) = waits[0].reason else { Issue.record("\(waits[0])"); return }
            #expect(rate == 0.001 && next > Date().addingTimeInterval(900) && next < Date().addingTimeInterval(1001))
            let (held, _) = try await engine.claim()
            #expect(held.dispatches.isEmpty, "the claim holds it back for the same reason")
        }
    }

    @Test("a due action whose channel is suppressed is explained as suppressed, and the claim cancels it")
    func suppressed() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps)
            try await engine.enroll(["lead-1"], pipeline: "steps")
            // An unsubscribe cancels the lead's open work itself; a suppression that exists while an action is
            // due (written by a transaction that committed after the unsubscribe's snapshot, say) is what the
            // claim's rule catches. Written directly here, to meet the rule alone.
            try await engine.connection.execute(
                """
                INSERT INTO lead_suppressions (lead_id, channel, suppressed, changed_at)
                SELECT id, 'email', true, now() FROM leads WHERE external_id = 'lead-1'
                """)
            let waits = try await Self.waits("lead-1", engine)
            #expect(waits.first?.reason == .suppressed(ahead: 0), "\(waits)")
            let (_, events) = try await engine.claim()
            #expect(events.contains { $0.kind == .actionCanceled }, "the claim cancels it, as explained")
        }
    }
}
