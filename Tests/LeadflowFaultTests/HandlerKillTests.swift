import Foundation
import Testing

/// A webhook handler process killed with SIGKILL in the middle of a run: what it held comes back when its
/// leases expire and is delivered again with the same idempotency key; every lead still finishes.
extension FaultInjectionTests {
    @Suite("Handler killed")
    struct HandlerKilled {
        @Test("SIGKILL of a handler mid-run: every action completes, every key arrives, duplicates only repeat keys")
        func killedHandler() async throws {
            let leads = 300
            // A lease short enough to rescue within the test, long enough that dispatches waiting behind a busy
            // handler on a loaded two-core machine do not outlive it (each expiry uses an attempt).
            let settings = ["scheduler.lease": "8s", "handler.webhook.max_in_flight": "32"]
            try await FaultRun.with("kill", settings: settings) { run in
                // A little latency keeps deliveries in flight, so the kill catches some half done.
                run.answerWebhooks(after: .milliseconds(20))
                try run.startIngest()
                try run.startScheduler()
                let victim = try run.startWebhookHandler("handler-a")
                try run.startWebhookHandler("handler-b")
                let client = try await run.client()
                try await run.applyPipeline(client: client)
                let enrolled = AcknowledgementLog()
                await run.enroll(0..<leads, client: client, into: enrolled)
                run.check(enrolled.failures.isEmpty, "enrollments failed: \(enrolled.failures.prefix(3))")

                // The signal to kill: the sink has seen a fifth of the deliveries.
                try await run.waitUntil("the sink saw \(2 * leads / 5) requests") {
                    run.sink.recordedRequests.count >= 2 * leads / 5
                }
                victim.send(SIGKILL)
                let killed = await victim.waitForExit(timeout: .seconds(10))
                run.check(killed == .signalled(SIGKILL), "the victim ended with \(killed.map { "\($0)" } ?? "nothing")")
                let seenAtKill = run.sink.recordedRequests.count
                try run.startWebhookHandler("handler-c")

                let clock = ContinuousClock()
                let killedAt = clock.now
                try await run.waitUntilSettled(leads: leads)
                let recovery = clock.now - killedAt

                let ledger = try await run.ledger()
                print("handler killed after \(seenAtKill) requests; all leads done \(recovery) later; \(ledger)")
                run.check(ledger.attempts.count == 2 * leads, "\(ledger.attempts.count) webhook actions, not \(2 * leads)")
                run.check(ledger.missing.isEmpty, "keys never delivered: \(ledger.missing.prefix(5))")
                run.check(ledger.unknown.isEmpty, "keys that are no action's: \(ledger.unknown.prefix(5))")
                run.check(
                    ledger.overDelivered.isEmpty,
                    "keys delivered more often than dispatched: \(ledger.overDelivered.prefix(5))")
                // The victim held deliveries when it died; their leases expired and they went out again. Only
                // those repeat: what it had queued but not started never reached the provider the first time.
                run.check(ledger.redispatched > 0, "no action was dispatched a second time: the kill lost nothing?")
                run.check(
                    ledger.duplicates <= 32,
                    "\(ledger.duplicates) repeated deliveries, more than the victim's 32 deliveries in flight")
            }
        }
    }
}
