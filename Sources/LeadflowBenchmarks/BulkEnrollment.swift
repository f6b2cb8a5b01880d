import LeadflowProto
import LeadflowStore
import Postgres

/// Leads written straight to the store in one transaction — a bulk import whose whole backlog is due at
/// once, the worst case for the scheduler's fairness (ingest would spread it over seconds).
public enum BulkEnrollment {
    /// Upserts `count` leads `<prefix>-0…` of `org` and enrolls them into `pipeline`'s first stage, then wakes
    /// the schedulers.
    public static func write(
        org: String, count: Int, prefix: String, pipeline: String, database: PostgresClient
    ) async throws {
        try await database.withTransaction { connection in
            var events = LeadEventLog(recording: false, history: true)
            let upserts = (0..<count).map { index in
                LeadWriter.Scoped(org: org, EndToEndRun.lead("\(prefix)-\(index)"))
            }
            try LeadWriter.upsert(upserts, events: &events, on: connection)
            let resolved = try References.resolve([.init(org: org, pipeline: pipeline, stage: nil)], on: connection)
            guard case .found(let pipelineID, let stageID) = resolved.first else {
                throw PostgresError(kind: .misuse, message: "\(org) has no pipeline \(pipeline)")
            }
            let enrollments = (0..<count).map { index in
                LeadWriter.Enrollment(
                    org: org, externalID: "\(prefix)-\(index)", pipelineID: pipelineID, stageID: stageID,
                    stageNamed: false)
            }
            try LeadWriter.enroll(enrollments, defaultMaxAttempts: 5, events: &events, on: connection)
            try LeadHistory.write(events, on: connection)
            try connection.execute("NOTIFY \(SchedulerWakeup.channel)")
        }
    }
}
