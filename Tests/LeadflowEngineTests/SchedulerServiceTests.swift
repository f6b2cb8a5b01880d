import Foundation
import LeadflowBus
import LeadflowDomain
import LeadflowIngest
import LeadflowProto
import LeadflowScheduler
import LeadflowStore
import LeadflowTestKit
import Postgres
import Testing

/// The scheduler over real sockets: dispatches reach handlers, results move leads on, and two schedulers on
/// one database never dispatch an action twice.
@Suite("Scheduler service")
struct SchedulerServiceTests {
    static let threeSteps = """
        name: three
        stages:
          - name: only
            actions:
              - email: {sender: "a@acme.test", subject: "Hi {{first_name}}", text: "hello"}
              - wait: 0s
              - sms: {sender: "+15550001111", body: "hi"}
        """

    static let oneEmail = """
        name: one
        stages:
          - name: only
            actions:
              - email: {sender: "a@acme.test", subject: "Hi", text: "hello"}
        """

    func enroll(
        _ count: Int, pipeline: String, org: String = "acme", prefix: String = "lead", harness: EngineHarness
    ) async throws {
        let client = try await harness.requester()
        try await withThrowingTaskGroup(of: Ack.self) { group in
            for index in 0..<count {
                group.addTask {
                    let enroll = Leadflow_V1_LeadEnroll.with {
                        $0.externalID = "\(prefix)-\(index)"
                        $0.pipeline = pipeline
                    }
                    return try await harness.send("lead.enroll.\(org)", enroll, via: client)
                }
            }
            for try await ack in group { #expect(ack == .ok(msgID: ack.msgID)) }
        }
        await client.close()
    }

    func endpoints(of scheduler: SchedulerService, _ type: ActionType) async throws -> (String, String) {
        (try await scheduler.dispatchEndpoint(for: type)!, try await scheduler.resultsEndpoint())
    }

    /// A recording handler on `scheduler`'s email and SMS sockets.
    func emailAndSMSHandler(_ scheduler: SchedulerService, harness: EngineHarness) async throws -> RecordingHandler {
        let (email, results) = try await endpoints(of: scheduler, .email)
        let (sms, _) = try await endpoints(of: scheduler, .sms)
        return try await RecordingHandler(
            context: harness.context, dispatchEndpoints: [email, sms], resultEndpoints: [results])
    }

    func waitUntilCompleted(_ count: Int, harness: EngineHarness) async throws {
        try await harness.waitUntil("every lead left the pipeline") { connection in
            try await connection.query(
                "SELECT count(*) FROM lead_stages WHERE exit_reason = 'completed'").scalar(Int.self) == count
        }
    }

    @Test("leads run email → wait 0s → sms through the scheduler and a handler, in order, to the pipeline's end")
    func threeStepPipeline() async throws {
        try await EngineHarness.with { harness in
            let client = try await harness.requester()
            try await harness.definePipeline(Self.threeSteps, via: client)
            await client.close()
            let scheduler = try await harness.startScheduler()
            let handler = try await emailAndSMSHandler(scheduler, harness: harness)
            try await enroll(50, pipeline: "three", harness: harness)
            try await waitUntilCompleted(50, harness: harness)
            #expect(scheduler.statistics.followUpClaims == 0, "one organization alone gets no follow-up claims")
            let dispatches = handler.dispatches
            #expect(dispatches.count == 100)
            for lead in 0..<50 {
                let types = dispatches.filter { $0.lead.externalID == "lead-\(lead)" }.map(\.actionType)
                #expect(types == [.email, .sms], "lead-\(lead) got \(types)")
            }
            #expect(dispatches.allSatisfy { $0.attempt == 1 && !$0.idempotencyKey.isEmpty })
            #expect(dispatches.first { $0.actionType == .email }?.email.subject == "Hi {{first_name}}")
            await handler.close()
        }
    }

    @Test("an action config cache smaller than a claim's actions still dispatches each action with its own config")
    func smallConfigCache() async throws {
        try await EngineHarness.with { harness in
            let client = try await harness.requester()
            try await harness.definePipeline(Self.threeSteps, via: client)
            try await harness.definePipeline(Self.oneEmail, via: client)
            await client.close()
            try await enroll(10, pipeline: "three", prefix: "three", harness: harness)
            try await enroll(10, pipeline: "one", prefix: "one", harness: harness)
            // Started after the enrolls, so its first claim holds both pipelines' emails: two configs, room for one.
            let scheduler = try await harness.startScheduler { $0.actionConfigCacheSize = 1 }
            let handler = try await emailAndSMSHandler(scheduler, harness: harness)
            try await waitUntilCompleted(20, harness: harness)
            let dispatches = handler.dispatches
            #expect(dispatches.count == 30)
            for dispatch in dispatches {
                let lead = dispatch.lead.externalID
                switch dispatch.actionType {
                case .email:
                    #expect(dispatch.email.subject == (lead.hasPrefix("three") ? "Hi {{first_name}}" : "Hi"), "\(lead)")
                case .sms:
                    #expect(lead.hasPrefix("three") && dispatch.sms.body == "hi", "\(lead)")
                default:
                    Issue.record("unexpected \(dispatch.actionType) dispatch for \(lead)")
                }
            }
            await handler.close()
        }
    }

    /// Two organizations' leads enrolled before the scheduler starts: its first claim sees both due, so they
    /// compete for the idle interval (a minute here).
    func competingScheduler(
        pipeline: String, yaml: String, harness: EngineHarness, followUpClaims: Bool = true
    ) async throws -> SchedulerService {
        let client = try await harness.requester()
        for org in ["acme", "beta"] { try await harness.definePipeline(yaml, org: org, via: client) }
        await client.close()
        for org in ["acme", "beta"] { try await enroll(10, pipeline: pipeline, org: org, harness: harness) }
        return try await harness.startScheduler {
            $0.followUpClaims = followUpClaims
            $0.idleInterval = .seconds(60)
        }
    }

    @Test(
        "while organizations compete, a result transaction is followed by a claim of their next actions, unless turned off",
        arguments: [true, false])
    func followUpClaims(enabled: Bool) async throws {
        try await EngineHarness.with { harness in
            let scheduler = try await competingScheduler(
                pipeline: "three", yaml: Self.threeSteps, harness: harness, followUpClaims: enabled)
            let handler = try await emailAndSMSHandler(scheduler, harness: harness)
            try await waitUntilCompleted(20, harness: harness)
            let statistics = scheduler.statistics
            #expect(statistics.dispatched == 40)
            if enabled {
                // Each email result's transaction runs the wait and makes the SMS due; the claim right after it
                // takes the SMS, unless the claim loop got there first.
                #expect(statistics.followUpClaims > 0)
            } else {
                #expect(statistics.followUpClaims == 0)
            }
            #expect(handler.dispatches.filter { $0.actionType == .sms }.count == 20)
            await handler.close()
        }
    }

    @Test("ingest's wake-up names the organizations it enrolled, and the scheduler claims for them at once")
    func wakeUpFollowUpClaim() async throws {
        try await EngineHarness.with { harness in
            // No handler: every dispatch is claimed from a wake-up or by the claim loop, none after a result.
            let scheduler = try await competingScheduler(pipeline: "one", yaml: Self.oneEmail, harness: harness)
            try await harness.waitUntil("both organizations' emails dispatched") { connection in
                try await connection.query(
                    "SELECT count(*) FROM lead_stage_actions WHERE status = 'dispatched'").scalar(Int.self) == 20
            }
            #expect(scheduler.statistics.followUpClaims == 0)
            try await harness.waitUntil("the scheduler listens for wake-ups") { connection in
                try await connection.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%\(SchedulerWakeup.channel)%'"
                ).scalar(Int.self) == 1
            }
            let listener = try await PostgresConnection.connect(url: harness.url)
            try await listener.listen(SchedulerWakeup.channel)
            try await enroll(5, pipeline: "one", prefix: "more", harness: harness)
            var payloads: [String] = []
            while payloads.isEmpty {
                payloads = try await listener.waitForNotifications(timeout: .seconds(30)).map(\.payload)
            }
            #expect(payloads.allSatisfy { SchedulerWakeup.organizations(in: $0) == ["acme"] }, "\(payloads)")
            await listener.close()
            try await eventually("a follow-up claim ran") { scheduler.statistics.followUpClaims > 0 }
            try await harness.waitUntil("the new emails dispatched") { connection in
                try await connection.query(
                    "SELECT count(*) FROM lead_stage_actions WHERE status = 'dispatched'").scalar(Int.self) == 25
            }
            #expect(scheduler.statistics.dispatched == 25)
        }
    }

    @Test("a retry result brings the action back with the next attempt and the same idempotency key")
    func retryResult() async throws {
        try await EngineHarness.with { harness in
            let client = try await harness.requester()
            try await harness.definePipeline(Self.oneEmail, via: client)
            await client.close()
            let scheduler = try await harness.startScheduler { $0.retry = RetryPolicy(base: .milliseconds(1), cap: .milliseconds(5)) }
            let (email, results) = try await endpoints(of: scheduler, .email)
            let handler = try await RecordingHandler(
                context: harness.context, dispatchEndpoints: [email], resultEndpoints: [results]
            ) { dispatch in dispatch.attempt < 3 ? .retry : .succeeded }
            try await enroll(5, pipeline: "one", harness: harness)
            try await harness.waitUntil("every action succeeded") { connection in
                try await connection.query("SELECT count(*) FROM lead_stage_actions WHERE status = 'succeeded'")
                    .scalar(Int.self) == 5
            }
            let byAction = Dictionary(grouping: handler.dispatches, by: \.actionID)
            #expect(byAction.count == 5)
            for (_, attempts) in byAction {
                #expect(attempts.map(\.attempt).sorted() == [1, 2, 3])
                #expect(Set(attempts.map(\.idempotencyKey)).count == 1)
            }
            await handler.close()
        }
    }

    @Test("two schedulers on one database dispatch every action exactly once")
    func twoSchedulers() async throws {
        try await EngineHarness.with { harness in
            let client = try await harness.requester()
            try await harness.definePipeline(Self.oneEmail, via: client)
            await client.close()
            // Small claims, so both schedulers claim many times while the enrolls arrive.
            let first = try await harness.startScheduler { $0.claimBatch = 20 }
            let second = try await harness.startScheduler { $0.claimBatch = 20 }
            let (email1, results1) = try await endpoints(of: first, .email)
            let (email2, results2) = try await endpoints(of: second, .email)
            let handler = try await RecordingHandler(
                context: harness.context, dispatchEndpoints: [email1, email2], resultEndpoints: [results1, results2])
            try await enroll(600, pipeline: "one", harness: harness)
            try await harness.waitUntil("every action succeeded") { connection in
                try await connection.query("SELECT count(*) FROM lead_stage_actions WHERE status = 'succeeded'")
                    .scalar(Int.self) == 600
            }
            let ids = handler.dispatches.map(\.actionID)
            #expect(ids.count == 600)
            #expect(Set(ids).count == 600, "an action was dispatched twice")
            #expect(first.statistics.dispatched > 0 && second.statistics.dispatched > 0, "both schedulers took work")
            #expect(first.statistics.dispatched + second.statistics.dispatched == 600)
            await handler.close()
        }
    }

    @Test("a type without handlers does not hold back the others")
    func saturatedType() async throws {
        try await EngineHarness.with { harness in
            let client = try await harness.requester()
            try await harness.definePipeline(
                """
                name: texts
                stages:
                  - name: only
                    actions:
                      - sms: {sender: "+15550001111", body: "hi"}
                """, via: client)
            try await harness.definePipeline(Self.oneEmail, via: client)
            await client.close()
            let scheduler = try await harness.startScheduler {
                $0.claimBatch = 10
                $0.dispatchQueueLimit = 10
            }
            let (email, results) = try await endpoints(of: scheduler, .email)
            // Only an email handler: SMS dispatches pile up in their own queue.
            let handler = try await RecordingHandler(
                context: harness.context, dispatchEndpoints: [email], resultEndpoints: [results])
            try await enroll(200, pipeline: "texts", harness: harness)
            let emailClient = try await harness.requester()
            for index in 0..<20 {
                let enroll = Leadflow_V1_LeadEnroll.with {
                    $0.externalID = "email-\(index)"
                    $0.pipeline = "one"
                }
                try await harness.send("lead.enroll.acme", enroll, via: emailClient)
            }
            await emailClient.close()
            try await harness.waitUntil("the email leads are done") { connection in
                try await connection.query(
                    "SELECT count(*) FROM lead_stage_actions WHERE type = 'email' AND status = 'succeeded'"
                ).scalar(Int.self) == 20
            }
            let pendingSMS = try await harness.count("SELECT count(*) FROM lead_stage_actions WHERE type = 'sms' AND status = 'pending'")
            #expect(pendingSMS > 0, "SMS actions beyond the queue limit stay pending, not claimed")
            await handler.close()
        }
    }

    @Test("an action the scheduler cannot dispatch (no dispatcher for its type) is pending again at once, not left to its lease")
    func undispatchableAction() async throws {
        try await EngineHarness.with { harness in
            let client = try await harness.requester()
            try await harness.definePipeline(Self.threeSteps, via: client)
            await client.close()
            // No SMS dispatcher; the lease (5 min) is far longer than the test may wait.
            let scheduler = try await harness.startScheduler { $0.dispatchEndpoints[.sms] = nil }
            let handler = try await RecordingHandler(
                context: harness.context, dispatchEndpoints: [try await scheduler.dispatchEndpoint(for: .email)!],
                resultEndpoints: [try await scheduler.resultsEndpoint()])
            try await enroll(3, pipeline: "three", harness: harness)
            try await harness.waitUntil("the SMS actions are pending again, their attempt given back") { connection in
                try await connection.query(
                    """
                    SELECT count(*) FROM lead_stage_actions
                    WHERE type = 'sms' AND status = 'pending' AND attempts = 0 AND perform_at > now()
                      AND last_error = 'not dispatched: the scheduler has no dispatcher for sms actions'
                    """
                ).scalar(Int.self) == 3
            }
            let statistics = scheduler.statistics
            #expect(statistics.undispatched >= 3)
            #expect(statistics.dispatched == 3, "only the emails reached a dispatcher")
            #expect(handler.dispatches.map(\.actionType) == [.email, .email, .email])
            await handler.close()
        }
    }
}
