import LeadflowStore
import Logging
import Postgres

/// Wake-ups: ingest's `NOTIFY` on a connection of its own rings the doorbell and starts follow-up claims.
extension SchedulerService {
    /// `LISTEN`s for ingest's wake-ups until cancelled, reconnecting with back-off after a failure.
    func listenForWakeups() async {
        guard configuration.listen else { return }
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: database.configuration, logger: logger)
                try await connection.listen(SchedulerWakeup.channel)
                failures = 0
                counters.withLock { $0.wakeupListens += 1 }
                // A NOTIFY sent before LISTEN took effect — at start, or while reconnecting — reached nobody: the
                // claim the doorbell starts finds its work instead of the idle timer.
                doorbell.ring()
                while !Task.isCancelled {
                    let notifications = try await connection.waitForNotifications(timeout: .seconds(30))
                    guard !notifications.isEmpty else { continue }
                    doorbell.ring()
                    let named = Set(notifications.flatMap { SchedulerWakeup.organizations(in: $0.payload) })
                    if named.count > 1 { noteCompeting() }
                    await claimFollowUps(for: named, limit: configuration.sharedClaimBatch)
                }
                await connection.close()
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                let delay = Self.databaseBackoff.delay(afterAttempt: failures)
                logger.warning("listening for wake-ups failed; retrying", metadata: ["error": "\(error)", "retry.in": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
    }
}
