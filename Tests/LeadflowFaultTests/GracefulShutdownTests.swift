import Foundation
import Testing

/// SIGTERM to service processes: a handler finishes the deliveries it started, reports them, hands back the
/// dispatches it had not started and exits 0 — within `service.shutdown_timeout`, cancelling what outlives it.
extension FaultInjectionTests {
    @Suite("Graceful shutdown")
    struct GracefulShutdown {
        static let settings = ["scheduler.lease": "60s", "handler.webhook.max_in_flight": "16"]

        @Test("SIGTERM to a handler mid-run: in-flight deliveries finish, the rest is handed back, nothing twice")
        func drainingHandler() async throws {
            let leads = 300
            // A dispatch still on its way to the handler when its socket closes is lost and waits for its lease:
            // 30 s keeps that rare case inside the test, and is long enough that no dispatch outlives its lease
            // while the whole suite loads the machine. Everything the handler had received goes back at once.
            let settings = Self.settings.merging(["scheduler.lease": "30s"]) { _, new in new }
            try await FaultRun.with("term", settings: settings) { run in
                // Slow enough that the handler is mid-delivery when the signal comes.
                run.answerWebhooks(after: .milliseconds(100))
                let services = try await run.startServices(handlers: ["handler-a", "handler-b"])
                let (stopping, staying) = (services.handlers[0], services.handlers[1])
                await run.enroll(0..<leads, client: services.client)

                try await run.waitUntil("the sink saw \(leads / 3) requests") {
                    run.sink.recordedRequests.count >= leads / 3
                }
                let drained = await run.terminate(stopping)
                // Its deliveries in flight finished (not cancelled: they would be retried and show as repeats)
                // and their results all left.
                let log = stopping.output
                run.check(log.contains("retried=0 "), "the handler cancelled deliveries")
                run.check(log.contains("results_lost=0"), "the handler lost results")

                try await run.waitUntilSettled(leads: leads, timeout: .seconds(60))
                let ledger = try await run.checkDeliveries("SIGTERM: handler drained in \(drained)")
                run.check(ledger.duplicates == 0, "\(ledger.duplicates) deliveries repeated after a graceful stop")
                // What the handler had received but not started went back (no attempt used); only what was still
                // on the wire, if anything, waited for its lease.
                let handedBack = log.firstMatch(of: /handed_back=(\d+)/).flatMap { Int($0.1) } ?? 0
                run.check(handedBack > 0, "the handler handed nothing back")
                run.check(
                    ledger.redispatched < handedBack,
                    "\(ledger.redispatched) actions waited for their lease, \(handedBack) were handed back")
                print("SIGTERM: \(handedBack) dispatches handed back, \(ledger.redispatched) waited for their lease")

                // The rest of the services stop as promptly, and cleanly.
                for process in [staying, services.scheduler, services.ingest] {
                    print("SIGTERM: \(process.name) stopped in \(await run.terminate(process))")
                }
            }
        }

        /// The lease is a minute, longer than the test may take: every action finishes because a result came
        /// back, none because a lease expired (the dispatches are all pushed long before the signal).
        @Test("deliveries that outlive service.shutdown_timeout are cancelled, reported and retried elsewhere")
        func shutdownTimeout() async throws {
            let leads = 40
            let settings = Self.settings.merging(["service.shutdown_timeout": "1s"]) { _, new in new }
            try await FaultRun.with("timeout", settings: settings) { run in
                // The provider hangs: nothing the handler started can finish in time.
                run.answerWebhooks(after: .seconds(120))
                let services = try await run.startServices(handlers: ["handler-a"])
                let stopping = services.handlers[0]
                await run.enroll(0..<leads, client: services.client)
                try await run.waitUntil("the handler has 16 deliveries hanging") { run.sink.recordedRequests.count >= 16 }

                let drained = await run.terminate(stopping)
                run.check(drained >= .seconds(1), "the handler stopped after \(drained), before its shutdown timeout")
                run.check(drained < .seconds(8), "the handler took \(drained) to stop with a 1 s shutdown timeout")
                run.check(
                    stopping.output.contains("deliveries still in flight after the drain timeout"),
                    "the handler did not cancel its hanging deliveries")

                // The provider recovers; another handler delivers what was cancelled and what was handed back.
                run.answerWebhooks(after: nil)
                try run.startWebhookHandler("handler-b")
                try await run.waitUntilSettled(leads: leads)
                let ledger = try await run.checkDeliveries("shutdown timeout: handler stopped in \(drained)")
                // Exactly the cancelled deliveries went out twice.
                run.check(ledger.duplicates == 16, "\(ledger.duplicates) repeated deliveries, not the 16 cancelled")
            }
        }
    }
}
