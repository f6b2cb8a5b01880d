import LeadflowPipeline
import LeadflowStore
import Postgres

/// Dead actions for the dead-letter tests (`leadflow dlq`, the admin API), made the way the scheduler makes
/// them: a pipeline, enrolled leads, a claim, and a permanent failure per lead.
public enum DeadLetterSeed {
    public static let pipeline = """
        name: welcome
        stages:
          - name: hello
            actions:
              - email: {sender: "a@acme.test", subject: "Hello", text: "hi"}
              - sms: {sender: "+15550001111", body: "hi"}
        """

    /// ``pipeline`` with a second stage, `later`, where the lead-control tests move leads.
    public static let twoStages = pipeline + """

          - name: later
            actions:
              - webhook: {url: "https://hooks.acme.test/later"}
        """

    /// Enrolls each lead of `errors` in `org` into `yaml`'s first stage (a pipeline named `welcome`, whose first
    /// stage starts with an email) and kills its email with that error; returns the action ids by external id.
    @discardableResult
    public static func kill(
        _ errors: [String: String], org: String, url: String, pipeline yaml: String = pipeline
    ) async throws -> [String: Int] {
        try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
            try await connection.withTransaction { connection in
                var events = LeadEventLog(recording: false, history: true)
                let claimed = try ClaimSeed.enrollAndClaim(
                    pipeline: yaml, externalIDs: errors.keys.sorted(), org: org, events: &events, on: connection)
                let killed = claimed.values.filter { errors[$0.lead.externalID] != nil }
                try WorkQueue.apply(
                    killed.map {
                        ActionOutcome(
                            actionID: $0.actionID, attempt: $0.attempt, kind: .failedPermanently,
                            error: errors[$0.lead.externalID])
                    }, settings: .init(), events: &events, on: connection)
                try LeadHistory.write(events, on: connection)
                return Dictionary(uniqueKeysWithValues: killed.map { ($0.lead.externalID, $0.actionID) })
            }
        }
    }
}
