import LeadflowPipeline
import LeadflowProto
import LeadflowStore
import Postgres

/// Real claimed work for tests: a pipeline, enrolled leads and a claim, made the way ingest and the scheduler
/// make them.
public enum ClaimSeed {
    /// On `connection`, in the caller's transaction: saves `pipeline` (YAML) for `org`, upserts each lead of
    /// `externalIDs` (with the address `<id>@example.org` when `withEmail`), enrolls them in its first stage and
    /// claims what is due; returns the claimed actions of `org` by external id.
    public static func enrollAndClaim(
        pipeline: String, externalIDs: [String], org: String, withEmail: Bool = false, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws -> [String: ClaimedAction] {
        let saved = try PipelineStore.upsert(try PipelineDecoder().decode(yaml: pipeline), org: org, on: connection)
        let stageID = try connection.query(
            "SELECT id FROM pipeline_stages WHERE pipeline_id = $1 AND position = 0", [saved.pipelineID]
        ).scalar(Int.self)!
        if withEmail {
            try LeadWriter.upsert(
                externalIDs.map { id in .init(org: org, .with { $0.externalID = id; $0.email = "\(id)@example.org" }) },
                events: &events, on: connection)
        }
        try LeadWriter.enroll(
            externalIDs.map { .init(org: org, externalID: $0, pipelineID: saved.pipelineID, stageID: stageID, stageNamed: false) },
            defaultMaxAttempts: 3, events: &events, on: connection)
        let claim = try WorkQueue.claim(limit: 100, settings: .init(), events: &events, on: connection)
        // A lead has one due action at a time; should an earlier seed have left two, the first counts.
        return Dictionary(
            claim.dispatches.filter { $0.org == org }.map { ($0.lead.externalID, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
