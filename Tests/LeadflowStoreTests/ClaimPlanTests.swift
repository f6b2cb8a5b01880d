import LeadflowDomain
import Testing

@testable import LeadflowStore

/// The claim plan's batch and shares as pure logic, without a database.
@Suite("Claim plan")
struct ClaimPlanTests {
    /// `organizations` with one due queue of waits each (internal: no channel limits apply).
    static func plan(organizations: Int, limit: Int, sharedLimit: Int?) -> ClaimPlan {
        let heads = (0..<organizations).map {
            ClaimQueues.Head(key: QueueKey(org: "org-\($0)", type: .wait), dueIn: 0)
        }
        return ClaimPlan(
            heads: heads, excluding: [], locked: [], states: [], defaults: ChannelLimits(), limit: limit,
            sharedLimit: sharedLimit)
    }

    @Test(
        "the batch is the limit for one organization and the shared limit (never above the limit) for several",
        arguments: [
            (organizations: 1, limit: 1_000, sharedLimit: 200 as Int?, batch: 1_000),
            (organizations: 2, limit: 1_000, sharedLimit: 200, batch: 200),
            (organizations: 5, limit: 1_000, sharedLimit: 200, batch: 200),
            (organizations: 2, limit: 100, sharedLimit: 200, batch: 100),
            (organizations: 2, limit: 1_000, sharedLimit: nil, batch: 1_000),
            (organizations: 0, limit: 1_000, sharedLimit: 200, batch: 1_000),
        ])
    func batch(organizations: Int, limit: Int, sharedLimit: Int?, batch: Int) {
        let plan = Self.plan(organizations: organizations, limit: limit, sharedLimit: sharedLimit)
        #expect(plan.batch == batch)
        #expect(plan.organizations == organizations)
        // Each organization's share is its part of that batch.
        let share = organizations == 0 ? 0 : (batch + organizations - 1) / organizations
        #expect(plan.allowances.map(\.count) == Array(repeating: share, count: organizations))
    }

    @Test("a queue not due yet does not count as competing")
    func notDueDoesNotCompete() {
        let heads = [
            ClaimQueues.Head(key: QueueKey(org: "big", type: .wait), dueIn: 0),
            ClaimQueues.Head(key: QueueKey(org: "later", type: .wait), dueIn: 30),
        ]
        let plan = ClaimPlan(
            heads: heads, excluding: [], locked: [], states: [], defaults: ChannelLimits(), limit: 1_000,
            sharedLimit: 200)
        #expect(plan.batch == 1_000)
        #expect(plan.wakeIn == 30)
    }
}
