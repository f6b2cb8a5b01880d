import LeadflowDomain
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// Claims are fair across organizations and stay within each organization's channel limits.
@Suite("Fair claims and organization limits")
struct FairClaimTests {
    static let oneEmail = """
        name: mail
        stages:
          - name: only
            actions:
              - email: {sender: "a@acme.test", subject: "s", text: "t"}
        """

    @Test("one tenant's backlog does not push another's due actions behind it")
    func backlogDoesNotStarve() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(Self.oneEmail, org: "big")
            _ = try await engine.pipeline(Self.oneEmail, org: "small")
            try await engine.enroll((0..<300).map { "big-\($0)" }, pipeline: "mail", org: "big")
            // Older than everything of "small": an oldest-first claim would take only "big".
            try await engine.connection.execute("UPDATE lead_stage_actions SET perform_at = now() - interval '1 hour'")
            try await engine.enroll((0..<5).map { "small-\($0)" }, pipeline: "mail", org: "small")
            let (claim, _) = try await engine.claim(limit: 50)
            let byOrg = Dictionary(grouping: claim.dispatches, by: \.org).mapValues(\.count)
            // Each organization's share is half the batch; the big one's backlog waits for the next claim.
            #expect(byOrg == ["big": 25, "small": 5])
            #expect(claim.wasFull, "the big tenant still has due work")
            #expect(claim.backlogged == ["big"], "the big tenant filled its share; the small one did not")
            let (next, _) = try await engine.claim(limit: 50)
            #expect(next.dispatches.count == 50 && next.dispatches.allSatisfy { $0.org == "big" })
        }
    }

    @Test("the claim that first sees a second organization's due work already takes the shared batch")
    func sharedBatchFromTheFirstClaim() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(Self.oneEmail, org: "big")
            _ = try await engine.pipeline(Self.oneEmail, org: "small")
            try await engine.enroll((0..<300).map { "big-\($0)" }, pipeline: "mail", org: "big")
            let (alone, _) = try await engine.claimRecording(limit: 100, sharedLimit: 20)
            #expect(alone.dispatches.count == 100, "one organization alone gets the whole batch")
            #expect(alone.organizations == 1)
            try await engine.enroll((0..<5).map { "small-\($0)" }, pipeline: "mail", org: "small")
            let (shared, _) = try await engine.claimRecording(limit: 100, sharedLimit: 20)
            let byOrg = Dictionary(grouping: shared.dispatches, by: \.org).mapValues(\.count)
            #expect(byOrg == ["big": 10, "small": 5], "half of the shared batch each, not half of the whole one")
            #expect(shared.organizations == 2)
            #expect(shared.wasFull, "the big tenant gave its whole share")
        }
    }

    @Test("a follow-up claim takes only the organizations it names, and leaves lease rescue to the full claims")
    func followUpClaim() async throws {
        try await withEngine { engine in
            for org in ["big", "small", "other"] { _ = try await engine.pipeline(Self.oneEmail, org: org) }
            try await engine.enroll((0..<300).map { "big-\($0)" }, pipeline: "mail", org: "big")
            try await engine.enroll((0..<5).map { "small-\($0)" }, pipeline: "mail", org: "small")
            try await engine.enroll(["other-0"], pipeline: "mail", org: "other")
            // An expired lease of "other": only a full claim brings it back.
            let (first, _) = try await engine.claimRecording(limit: 1, organizations: ["other"])
            #expect(first.dispatches.map(\.org) == ["other"])
            try await engine.connection.execute(
                "UPDATE lead_stage_actions SET locked_until = now() - interval '1 minute' WHERE status = 'dispatched'")

            let (claim, _) = try await engine.claimRecording(limit: 20, sharedLimit: 20, organizations: ["small", "big"])
            let byOrg = Dictionary(grouping: claim.dispatches, by: \.org).mapValues(\.count)
            #expect(byOrg == ["big": 10, "small": 5], "fair shares between the organizations named, nobody else")
            #expect(claim.wakeIn == nil, "a follow-up claim computes no wake time")
            let expired = try await engine.connection.query(
                "SELECT count(*) FROM lead_stage_actions WHERE status = 'dispatched' AND org_id = 'other'"
            ).scalar(Int.self)
            #expect(expired == 1, "the follow-up claim did not rescue the expired lease")

            let (full, _) = try await engine.claimRecording(limit: 20)
            #expect(full.dispatches.contains { $0.org == "other" && $0.attempt == 2 }, "the full claim rescued it")
        }
    }

    @Test("the batch is shared in turns: each organization gets an equal part when all have a backlog")
    func equalShares() async throws {
        try await withEngine { engine in
            for org in ["a", "b", "c"] {
                _ = try await engine.pipeline(Self.oneEmail, org: org)
                try await engine.enroll((0..<40).map { "\(org)-\($0)" }, pipeline: "mail", org: org)
            }
            let (claim, _) = try await engine.claim(limit: 30)
            let byOrg = Dictionary(grouping: claim.dispatches, by: \.org).mapValues(\.count)
            #expect(byOrg == ["a": 10, "b": 10, "c": 10])
        }
    }

    @Test("an organization never has more actions of a channel in flight than its limit")
    func inFlightLimit() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(Self.oneEmail, org: "acme")
            try await engine.enroll((0..<50).map { "lead-\($0)" }, pipeline: "mail")
            try await engine.setLimits(.init(maxInFlight: 10), org: "acme", channels: [.email])
            let (first, _) = try await engine.claim()
            #expect(first.dispatches.count == 10)
            let (held, _) = try await engine.claim()
            #expect(held.dispatches.isEmpty)
            #expect(held.throttled == [QueueKey(org: "acme", type: .email)])
            #expect(held.backlogged == ["acme"], "a limit held its due work back")
            #expect(held.wakeIn == nil, "a queue at its in-flight limit waits for results, not for time")
            try await engine.apply(first.dispatches.prefix(4).map { $0.outcome() })
            let (next, _) = try await engine.claim()
            #expect(next.dispatches.count == 4)
            let inFlight = try await engine.connection.query(
                "SELECT count(*) FROM lead_stage_actions WHERE status = 'dispatched'"
            ).scalar(Int.self)
            #expect(inFlight == 10)
        }
    }

    @Test("the token bucket allows a burst, then the rate; the claim says when the next token comes")
    func rateLimit() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(Self.oneEmail, org: "acme")
            try await engine.enroll((0..<50).map { "lead-\($0)" }, pipeline: "mail")
            try await engine.setLimits(.init(ratePerSecond: 0.5, burst: 7), org: "acme", channels: [.email])
            let (burst, _) = try await engine.claim()
            #expect(burst.dispatches.count == 7)
            let (empty, _) = try await engine.claim()
            #expect(empty.dispatches.isEmpty)
            let wake = try #require(empty.wakeIn).seconds
            #expect(wake > 0 && wake <= 2, "one token every two seconds")
            // Two seconds later, as far as the bucket knows: one more token.
            try await engine.connection.execute(
                "UPDATE organization_channels SET refilled_at = refilled_at - interval '2.1 seconds'")
            let (one, _) = try await engine.claim()
            #expect(one.dispatches.count == 1)
        }
    }

    @Test("internal actions and other channels are not held back by a throttled channel")
    func throttleIsPerChannel() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(TestPipelines.steps, org: "acme")
            _ = try await engine.pipeline(TestPipelines.router, org: "acme")
            try await engine.enroll(["mailed"], pipeline: "steps")
            try await engine.enroll(["routed"], pipeline: "router")
            try await engine.setLimits(.init(maxInFlight: 1), org: "acme", channels: [.email])
            try await engine.connection.execute(
                "UPDATE organization_channels SET tokens = 0, refilled_at = now() + interval '1 hour'")
            let (claim, _) = try await engine.claim()
            #expect(claim.dispatches.isEmpty)
            #expect(claim.internalActions.map(\.type) == [.move, .end], "the move ran, and the end it made due")
            #expect(try await engine.actions(of: "routed").first == "move:succeeded")
            #expect(try await engine.actions(of: "mailed").first == "email:pending")
        }
    }

    @Test("two schedulers claiming at once spend one bucket: together they stay within the burst")
    func bucketSharedAcrossClaimers() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try await Migrator().migrate(url: url)
            try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
                let engine = Engine(connection: connection)
                _ = try await engine.pipeline(Self.oneEmail, org: "acme")
                try await engine.enroll((0..<200).map { "lead-\($0)" }, pipeline: "mail")
                try await engine.setLimits(.init(ratePerSecond: 0.01, burst: 20), org: "acme", channels: [.email])
            }
            let claimed = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
                            var total = 0
                            for _ in 0..<5 { total += try await Engine(connection: connection).claim(limit: 3).0.dispatches.count }
                            return total
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            // A claimer that finds the bucket locked by another takes nothing this time; what is left of the
            // burst goes to later claims, and nothing beyond it to anyone.
            let rest = try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
                var total = 0
                for _ in 0..<10 { total += try await Engine(connection: connection).claim(limit: 3).0.dispatches.count }
                return total
            }
            #expect(claimed + rest == 20)
        }
    }

    @Test("limits name a known organization and a channel, with usable values")
    func setLimitsErrors() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(Self.oneEmail, org: "acme")
            await #expect(throws: OrganizationLimits.Failure.unknownOrganization("nobody")) {
                try await engine.setLimits(.init(maxInFlight: 5), org: "nobody", channels: [.email])
            }
            await #expect(throws: OrganizationLimits.Failure.notAChannel(.wait)) {
                try await engine.setLimits(.init(maxInFlight: 5), org: "acme", channels: [.wait])
            }
            await #expect(throws: OrganizationLimits.Failure.invalid(["burst must be at least 1 (got 0)"])) {
                try await engine.setLimits(.init(burst: 0), org: "acme", channels: [.sms])
            }
            try await engine.setLimits(.init(maxInFlight: 5), org: "acme", channels: [.email, .sms])
            try await engine.setLimits(.init(ratePerSecond: 2), org: "acme", channels: [.sms])
            let listed = try await engine.connection.withTransaction { try OrganizationLimits.list(org: "acme", on: $0) }
            #expect(listed.map { "\($0.channel.rawValue) \($0.maxInFlight ?? 0) \($0.ratePerSecond ?? 0)" } == [
                "email 5 0.0", "sms 5 2.0",
            ])
            try await engine.connection.withTransaction { try OrganizationLimits.reset(org: "acme", channels: [.sms], on: $0) }
            let reset = try await engine.connection.withTransaction { try OrganizationLimits.list(org: "acme", on: $0) }
            #expect(reset.last?.maxInFlight == nil && reset.last?.ratePerSecond == nil)
        }
    }

    @Test("a channel this version does not know is an error naming it, never shown as email")
    func unknownChannel() async throws {
        try await withEngine { engine in
            _ = try await engine.pipeline(Self.oneEmail, org: "acme")
            try await engine.setLimits(.init(maxInFlight: 5), org: "acme", channels: [.sms])
            // A newer version's channel: its migration would have widened the check.
            try await engine.connection.execute(
                "ALTER TABLE organization_channels DROP CONSTRAINT organization_channels_channel_check")
            try await engine.connection.execute(
                "INSERT INTO organization_channels (org_id, channel, max_in_flight) VALUES ('acme', 'push', 7)")
            do {
                let listed = try await engine.connection.withTransaction { try OrganizationLimits.list(org: "acme", on: $0) }
                Issue.record("listed \(listed.map(\.channel.rawValue)) instead of failing")
            } catch let error as PostgresError {
                #expect(error.kind == .decoding)
                #expect(error.message == "unknown action type push in organization_channels")
            }
        }
    }
}

extension Engine {
    func setLimits(_ change: OrganizationLimits.Change, org: String, channels: [ActionType]) async throws {
        try await connection.withTransaction { try OrganizationLimits.set(change, org: org, channels: channels, on: $0) }
    }
}
