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
                let services = try await run.startServices(handlers: ["handler-a", "handler-b"])
                let victim = services.handlers[0]
                await run.enroll(0..<leads, client: services.client)

                // The signal to kill: the sink has seen two fifths of the deliveries.
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
                let ledger = try await run.checkDeliveries(
                    "handler killed after \(seenAtKill) requests, all leads done \(clock.now - killedAt) later")
                run.check(ledger.attempts.count == 2 * leads, "\(ledger.attempts.count) webhook actions, not \(2 * leads)")
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
