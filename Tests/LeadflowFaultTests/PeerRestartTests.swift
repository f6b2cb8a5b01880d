import Foundation
import Testing

/// The scheduler or ingest killed with SIGKILL in the middle of a run and a new one started in its place: the
/// peers reconnect on their own, nothing acknowledged is lost, and nothing reaches the provider under a key
/// more often than its action was dispatched.
extension FaultInjectionTests {
    @Suite("Peer restarts")
    struct PeerRestarts {
        @Test("SIGKILL of the scheduler mid-run, a new one started: every lead finishes, every key arrives once per dispatch")
        func killedScheduler() async throws {
            let leads = 300
            // Dispatches and results the dead scheduler held come back when their leases end.
            try await FaultRun.with("kill-scheduler", settings: ["scheduler.lease": "8s"]) { run in
                run.answerWebhooks(after: .milliseconds(20))
                let services = try await run.startServices(handlers: ["handler"])
                await run.enroll(0..<leads, client: services.client)
                try await run.waitUntil("the sink saw \(2 * leads / 5) requests") {
                    run.sink.recordedRequests.count >= 2 * leads / 5
                }
                services.scheduler.send(SIGKILL)
                let killed = await services.scheduler.waitForExit(timeout: .seconds(10))
                run.check(killed == .signalled(SIGKILL), "the scheduler ended with \(killed.map { "\($0)" } ?? "nothing")")
                let seenAtKill = run.sink.recordedRequests.count
                try run.start("scheduler-2", ["scheduler"])

                try await run.waitUntilSettled(leads: leads)
                let ledger = try await run.checkDeliveries("scheduler killed after \(seenAtKill) requests")
                run.check(ledger.attempts.count == 2 * leads, "\(ledger.attempts.count) webhook actions, not \(2 * leads)")
                for process in [services.ingest] + services.handlers {
                    run.check(process.termination == nil, "\(process.name) did not ride out the scheduler's restart")
                }
            }
        }

        @Test("SIGKILL of ingest mid-publish, a new one started: every lead is enrolled once, nothing twice downstream")
        func killedIngest() async throws {
            let leads = 450
            try await FaultRun.with("kill-ingest") { run in
                run.answerWebhooks(after: nil)
                let services = try await run.startServices(handlers: ["handler"])
                let log = AcknowledgementLog()
                let publishing = Task { await run.enroll(0..<leads, client: services.client, into: log) }
                try await run.waitUntil("ingest committed 100 leads") {
                    try await run.count("SELECT count(*) FROM leads WHERE org_id = $1", [FaultRun.org]) >= 100
                }
                services.ingest.send(SIGKILL)
                let killed = await services.ingest.waitForExit(timeout: .seconds(10))
                run.check(killed == .signalled(SIGKILL), "ingest ended with \(killed.map { "\($0)" } ?? "nothing")")
                try run.start("ingest-2", ["ingest"])
                // The client sends what was not acknowledged again; the new ingest knows each message id it
                // committed before the kill (processed_messages) and acknowledges it without applying it twice.
                await publishing.value
                run.check(log.failures.isEmpty, "publishes failed: \(log.failures.prefix(3))")
                run.check(
                    Set(log.acknowledged.map(\.externalID)).count == leads,
                    "\(Set(log.acknowledged.map(\.externalID)).count) of \(leads) enrolls acknowledged")

                try await run.waitUntilSettled(leads: leads)
                let stages = try await run.count("SELECT count(*) FROM lead_stages WHERE org_id = $1", [FaultRun.org])
                run.check(stages == leads, "\(stages) lead stages for \(leads) leads: an enroll was applied twice")
                let ledger = try await run.checkDeliveries("ingest killed mid-publish")
                run.check(ledger.duplicates == 0, "\(ledger.duplicates) deliveries repeated")
                for process in [services.scheduler] + services.handlers {
                    run.check(process.termination == nil, "\(process.name) did not ride out ingest's restart")
                }
            }
        }
    }
}
