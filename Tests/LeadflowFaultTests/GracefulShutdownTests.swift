import Foundation
import Testing

/// SIGTERM to service processes: a handler finishes the deliveries it started, reports them, hands back the
/// dispatches it had not started and exits 0 — within `service.shutdown_timeout`, cancelling what outlives it.
///
/// The lease is a minute in both tests, longer than each test may take: every lead that finishes does so
/// because a result came back, never because a lease expired.
extension FaultInjectionTests {
    @Suite("Graceful shutdown")
    struct GracefulShutdown {
        static let settings = ["scheduler.lease": "60s", "handler.webhook.max_in_flight": "16"]

        @Test("SIGTERM to a handler mid-run: in-flight deliveries finish, the rest is handed back, nothing twice")
        func drainingHandler() async throws {
            let leads = 300
            try await FaultRun.with("term", settings: Self.settings) { run in
                // Slow enough that the handler is mid-delivery when the signal comes.
                run.answerWebhooks(after: .milliseconds(100))
                let ingest = try run.startIngest()
                let scheduler = try run.startScheduler()
                let stopping = try run.startWebhookHandler("handler-a")
                let staying = try run.startWebhookHandler("handler-b")
                let client = try await run.client()
                try await run.applyPipeline(client: client)
                let enrolled = AcknowledgementLog()
                await run.enroll(0..<leads, client: client, into: enrolled)
                run.check(enrolled.failures.isEmpty, "enrollments failed: \(enrolled.failures.prefix(3))")

                try await run.waitUntil("the sink saw \(leads / 3) requests") {
                    run.sink.recordedRequests.count >= leads / 3
                }
                let clock = ContinuousClock()
                let signalled = clock.now
                stopping.send(SIGTERM)
                let ended = await stopping.waitForExit(timeout: .seconds(20))
                let drained = clock.now - signalled
                run.check(ended == .exited(0), "the handler ended with \(ended.map { "\($0)" } ?? "nothing") after SIGTERM")
                let log = stopping.output
                run.check(log.contains("draining deliveries in flight"), "the handler had nothing in flight to drain")
                run.check(log.contains("results_lost=0"), "the handler lost results")

                try await run.waitUntilSettled(leads: leads)
                let ledger = try await run.ledger()
                print("SIGTERM: handler drained in \(drained); \(ledger)")
                run.check(ledger.missing.isEmpty, "keys never delivered: \(ledger.missing.prefix(5))")
                run.check(ledger.unknown.isEmpty, "keys that are no action's: \(ledger.unknown.prefix(5))")
                run.check(ledger.duplicates == 0, "\(ledger.duplicates) deliveries repeated after a graceful stop")

                // The rest of the services stop as promptly, and cleanly.
                for process in [staying, scheduler, ingest] {
                    process.send(SIGTERM)
                    let started = clock.now
                    let ended = await process.waitForExit(timeout: .seconds(20))
                    run.check(ended == .exited(0), "\(process.name) ended with \(ended.map { "\($0)" } ?? "nothing")")
                    print("SIGTERM: \(process.name) stopped in \(clock.now - started)")
                }
            }
        }

        @Test("deliveries that outlive service.shutdown_timeout are cancelled, reported and retried elsewhere")
        func shutdownTimeout() async throws {
            let leads = 40
            let settings = Self.settings.merging(["service.shutdown_timeout": "1s"]) { _, new in new }
            try await FaultRun.with("timeout", settings: settings) { run in
                // The provider hangs: nothing the handler started can finish in time.
                run.answerWebhooks(after: .seconds(120))
                try run.startIngest()
                try run.startScheduler()
                let stopping = try run.startWebhookHandler("handler-a")
                let client = try await run.client()
                try await run.applyPipeline(client: client)
                let enrolled = AcknowledgementLog()
                await run.enroll(0..<leads, client: client, into: enrolled)
                run.check(enrolled.failures.isEmpty, "enrollments failed: \(enrolled.failures.prefix(3))")
                try await run.waitUntil("the handler has 16 deliveries hanging") { run.sink.recordedRequests.count >= 16 }

                let clock = ContinuousClock()
                let signalled = clock.now
                stopping.send(SIGTERM)
                let ended = await stopping.waitForExit(timeout: .seconds(20))
                let drained = clock.now - signalled
                run.check(ended == .exited(0), "the handler ended with \(ended.map { "\($0)" } ?? "nothing") after SIGTERM")
                run.check(drained >= .seconds(1), "the handler stopped after \(drained), before its shutdown timeout")
                run.check(drained < .seconds(8), "the handler took \(drained) to stop with a 1 s shutdown timeout")
                run.check(
                    stopping.output.contains("deliveries still in flight after the drain timeout"),
                    "the handler did not cancel its hanging deliveries")

                // The provider recovers; another handler delivers what was cancelled and what was handed back.
                run.answerWebhooks(after: nil)
                try run.startWebhookHandler("handler-b")
                try await run.waitUntilSettled(leads: leads)
                let ledger = try await run.ledger()
                print("shutdown timeout: handler stopped in \(drained); \(ledger)")
                run.check(ledger.missing.isEmpty, "keys never delivered: \(ledger.missing.prefix(5))")
                run.check(ledger.unknown.isEmpty, "keys that are no action's: \(ledger.unknown.prefix(5))")
                run.check(
                    ledger.overDelivered.isEmpty,
                    "keys delivered more often than dispatched: \(ledger.overDelivered.prefix(5))")
                // Exactly the cancelled deliveries went out twice.
                run.check(ledger.duplicates == 16, "\(ledger.duplicates) repeated deliveries, not the 16 cancelled")
            }
        }
    }
}
