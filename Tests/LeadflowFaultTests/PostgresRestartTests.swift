import Foundation
import PostgresServer
import Testing

/// The database stopped in the middle of a run and started again on the same port: ingest acknowledges only
/// what it committed, the services reconnect on their own, and the run completes with nothing lost.
extension FaultInjectionTests {
    @Suite("PostgreSQL restart")
    struct PostgresRestart {
        @Test(
            "PostgreSQL stopped mid-run and started again: every ack is a committed lead, every lead finishes",
            arguments: LocalPostgresCluster.ShutdownMode.allCases)
        func restart(mode: LocalPostgresCluster.ShutdownMode) async throws {
            let leads = 450
            // Leases outlast the outage: every action finishes because its result was applied, none because
            // a lease expired — so a result lost in the outage shows as a repeated delivery.
            try await FaultRun.with("pg-\(mode)", database: .privateCluster, settings: ["scheduler.lease": "30s"]) {
                run in
                let cluster = try #require(run.cluster)
                run.answerWebhooks(after: .milliseconds(10))
                let services = try await run.startServices(handlers: ["handler"])
                let (ingest, scheduler, client) = (services.ingest, services.scheduler, services.client)

                // A first third, acknowledged before the outage; deliveries under way when it starts.
                let before = AcknowledgementLog()
                await run.enroll(0..<leads / 3, client: client, into: before)
                try await run.waitUntil("the sink saw 50 requests") { run.sink.recordedRequests.count >= 50 }
                try await cluster.stop(mode: mode)
                let down = ContinuousClock.now

                // The rest is published while the database is down. The outage lasts until ingest has given up a
                // batch (its clients must send it again) and the scheduler holds results it cannot apply.
                let during = AcknowledgementLog()
                let publishing = Task { await run.enroll(leads / 3..<leads, client: client, into: during) }
                try await run.waitUntil("ingest gave up a batch and the scheduler failed to apply results", timeout: .seconds(30)) {
                    let schedulerLog = scheduler.output
                    return ingest.output.contains("batch not written") && schedulerLog.contains("claim failed")
                        && schedulerLog.contains("results not applied")
                }
                let up = ContinuousClock.now
                try await cluster.start()
                await publishing.value
                print("PostgreSQL (\(mode) shutdown) was down for \(up - down)")

                let acknowledged = before.acknowledged + during.acknowledged
                run.check(
                    before.failures.isEmpty && during.failures.isEmpty,
                    "publishes failed: \((before.failures + during.failures).prefix(3))")
                let early = during.acknowledged.filter { $0.at < up }
                run.check(early.isEmpty, "\(early.count) acks while the database was down: \(early.prefix(3).map(\.externalID))")

                try await run.waitUntilSettled(leads: leads)
                let committed = Set(
                    try await run.database.query("SELECT external_id FROM leads WHERE org_id = $1", [FaultRun.org])
                        .map { try $0.decode(String.self, at: 0) })
                let lost = Set(acknowledged.map(\.externalID)).subtracting(committed)
                run.check(lost.isEmpty, "acknowledged but not committed: \(lost.prefix(5))")
                run.check(committed.count == leads, "\(committed.count) leads committed, not \(leads)")

                let ledger = try await run.checkDeliveries("PostgreSQL restart (\(mode))")
                run.check(ledger.duplicates == 0, "\(ledger.duplicates) deliveries repeated: results were lost in the outage")
                for process in [ingest, scheduler] + services.handlers {
                    run.check(process.termination == nil, "\(process.name) did not ride out the restart")
                }
            }
        }
    }
}
