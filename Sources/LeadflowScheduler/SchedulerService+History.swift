import LeadflowStore
import Postgres

extension SchedulerService {
    /// Weeks of lead-history partitions created ahead of time, so rows never land in the default partition
    /// while a scheduler runs at least once in that many weeks.
    static let historyWeeksAhead = 4
    /// How often the lead history's partitions are created ahead and dropped after the retention.
    static let historyMaintenanceInterval: Duration = .seconds(3_600)

    /// At start and then hourly: creates the next weeks' partitions of the lead history and drops those that
    /// ended longer ago than `historyRetention`. Every scheduler does it; the database functions serialise
    /// them. Failures are logged and tried again next time: a missing partition only means rows land in
    /// the default one.
    func maintainHistory() async {
        let retention = configuration.historyRetention
        while !Task.isCancelled {
            do {
                let (created, dropped) = try await database.withTransaction { connection in
                    (
                        try LeadHistory.createPartitions(weeksAhead: Self.historyWeeksAhead, on: connection),
                        try LeadHistory.dropPartitions(olderThan: retention, on: connection)
                    )
                }
                if created > 0 || dropped > 0 {
                    logger.info(
                        "lead history partitions maintained",
                        metadata: ["partitions.created": "\(created)", "partitions.dropped": "\(dropped)"])
                }
            } catch {
                logger.warning("lead history partitions not maintained; trying again later", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: Self.historyMaintenanceInterval)
        }
    }
}
