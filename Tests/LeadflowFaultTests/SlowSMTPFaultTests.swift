import Foundation
import LeadflowClient
import LeadflowPipeline
import LeadflowTestKit
import Testing

/// Email over SMTP to a real SMTP server on loopback that takes 100 ms per message — a real relay's pace — with
/// the scheduler or an email handler killed mid-run (docs/failure-modes.md): the results that survive crashes
/// (receipts, results pushed again, late successes) and parallel SMTP sessions at work together.
extension FaultInjectionTests {
    @Suite("Slow SMTP server")
    struct SlowSMTP {
        static let leads = 400

        /// Email then a webhook for each lead, every handler process at 32 SMTP sessions, and a lease of 30 s.
        static func settings(_ smtp: TestSMTPServer) -> [String: String] {
            [
                "scheduler.lease": "30s", "handler.email.driver": "smtp", "handler.email.url": smtp.url,
                "handler.email.tls": "none", "handler.email.max_connections": "32",
                "handler.email.max_in_flight": "64", "handler.webhook.max_in_flight": "64",
            ]
        }

        static func applyPipeline(_ run: FaultRun, client: LeadflowClient) async throws {
            let yaml = """
                name: hooks
                stages:
                  - name: notify
                    actions:
                      - email: {to: "{{external_id}}@faults.test", sender: "sales@faults.test", subject: "Hello {{external_id}}", text: "Hi"}
                      - webhook:
                          url: "\(run.sink.baseURL)/second"
                          body: '{"lead": "{{external_id}}", "step": 2}'
                """
            _ = try await client.upsertPipeline(org: FaultRun.org, try PipelineDecoder().decode(yaml: yaml))
            run.answerWebhooks(after: nil)
        }

        /// Waits until no email or webhook action is left to do, then returns the deliveries per Message-ID and
        /// the count of actions that ended dead.
        static func settle(_ run: FaultRun, smtp: TestSMTPServer) async throws -> (perMessageID: [String: Int], dead: Int) {
            try await run.waitUntil("the actions of \(leads) leads are settled", timeout: .seconds(90)) {
                let open = try await run.count(
                    "SELECT count(*) FROM lead_stage_actions WHERE status IN ('pending', 'dispatched')")
                let total = try await run.count("SELECT count(*) FROM lead_stage_actions")
                return total == 2 * leads && open == 0
            }
            var perMessageID: [String: Int] = [:]
            for message in smtp.receivedMessages { perMessageID[message.header("Message-ID") ?? "", default: 0] += 1 }
            return (perMessageID, try await run.count("SELECT count(*) FROM lead_stage_actions WHERE status = 'dead'"))
        }

        @Test("SIGKILL of the scheduler mid-run with a 100 ms SMTP server: no email is sent twice, none ends dead")
        func killedScheduler() async throws {
            try await TestSMTPServer.withServer { smtp in
                smtp.setLatency(.milliseconds(100))
                // What the dead scheduler had claimed but not pushed comes back after lease and grace: kept short.
                var settings = Self.settings(smtp)
                settings["scheduler.lease"] = "15s"
                settings["scheduler.lease_grace"] = "5s"
                try await FaultRun.with("smtp-scheduler", settings: settings) { run in
                    let ingest = try run.start("ingest", ["ingest"])
                    let scheduler = try run.start("scheduler", ["scheduler"])
                    let handler = try run.start("email", ["handler", "email"])
                    try run.startWebhookHandler("webhook")
                    let client = try await run.client()
                    try await Self.applyPipeline(run, client: client)
                    await run.enroll(0..<Self.leads, client: client)

                    try await run.waitUntil("the server took \(2 * Self.leads / 5) emails") {
                        smtp.receivedMessages.count >= 2 * Self.leads / 5
                    }
                    scheduler.send(SIGKILL)
                    let killed = await scheduler.waitForExit(timeout: .seconds(10))
                    run.check(killed == .signalled(SIGKILL), "the scheduler ended with \(killed.map { "\($0)" } ?? "nothing")")
                    let atKill = smtp.receivedMessages.count
                    try run.start("scheduler-2", ["scheduler"])

                    let (perMessageID, dead) = try await Self.settle(run, smtp: smtp)
                    let repeated = perMessageID.values.reduce(0) { $0 + max(0, $1 - 1) }
                    print("scheduler killed after \(atKill) emails: \(smtp.receivedMessages.count) emails of "
                        + "\(perMessageID.count) Message-IDs, \(repeated) repeated, \(dead) dead, "
                        + "at most \(smtp.mostConcurrentMessages) at once on \(smtp.sessionsAccepted) connections")
                    run.check(perMessageID.count == Self.leads, "\(perMessageID.count) distinct emails, not \(Self.leads)")
                    // Every result that had left the handler reached a scheduler: the dead one's were pushed again
                    // to the new one (no receipt had come), well within their leases.
                    run.check(repeated == 0, "\(repeated) emails were sent twice")
                    run.check(dead == 0, "\(dead) actions ended dead")
                    run.check(smtp.mostConcurrentMessages > 1, "the handler never had two SMTP sessions in a message at once")
                    for process in [ingest, handler] {
                        run.check(process.termination == nil, "\(process.name) did not ride out the scheduler's restart")
                    }
                }
            }
        }

        @Test("SIGKILL of an email handler mid-run with a 100 ms SMTP server: repeats only of what it held, none dead")
        func killedHandler() async throws {
            try await TestSMTPServer.withServer { smtp in
                smtp.setLatency(.milliseconds(100))
                // A short lease, so that what the victim held comes back within the test.
                var settings = Self.settings(smtp)
                settings["scheduler.lease"] = "8s"
                settings["scheduler.lease_grace"] = "2s"
                try await FaultRun.with("smtp-handler", settings: settings) { run in
                    try run.start("ingest", ["ingest"])
                    try run.start("scheduler", ["scheduler"])
                    let victim = try run.start("email-a", ["handler", "email"])
                    try run.start("email-b", ["handler", "email"])
                    try run.startWebhookHandler("webhook")
                    let client = try await run.client()
                    try await Self.applyPipeline(run, client: client)
                    await run.enroll(0..<Self.leads, client: client)

                    try await run.waitUntil("the server took \(2 * Self.leads / 5) emails") {
                        smtp.receivedMessages.count >= 2 * Self.leads / 5
                    }
                    victim.send(SIGKILL)
                    let killed = await victim.waitForExit(timeout: .seconds(10))
                    run.check(killed == .signalled(SIGKILL), "the victim ended with \(killed.map { "\($0)" } ?? "nothing")")
                    let atKill = smtp.receivedMessages.count

                    let (perMessageID, dead) = try await Self.settle(run, smtp: smtp)
                    let repeated = perMessageID.values.reduce(0) { $0 + max(0, $1 - 1) }
                    print("email handler killed after \(atKill) emails: \(smtp.receivedMessages.count) emails of "
                        + "\(perMessageID.count) Message-IDs, \(repeated) repeated, \(dead) dead")
                    run.check(perMessageID.count == Self.leads, "\(perMessageID.count) distinct emails, not \(Self.leads)")
                    // Only deliveries the victim had in flight (at most its 64) can go out again: their results
                    // died with it. What it had read ahead but not started never reached the server the first time.
                    run.check(repeated <= 64, "\(repeated) emails repeated, more than the victim's 64 in flight")
                    run.check(dead == 0, "\(dead) actions ended dead")
                }
            }
        }
    }
}
