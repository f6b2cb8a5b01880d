import LeadflowProto

/// A pipeline stage as lead events name it — ids and names — so every event about a stage fills the same
/// fields (lead_event.proto: "the pipeline fields", "the stage fields").
struct StagePlace: Sendable, Hashable {
    var pipelineID: Int
    var pipeline: String
    var stageID: Int
    var stage: String

    /// Sets the pipeline and stage fields of `event`.
    func fill(_ event: inout Leadflow_V1_LeadEvent) {
        event.pipelineID = Int64(pipelineID)
        event.pipeline = pipeline
        event.stageID = Int64(stageID)
        event.stage = stage
    }

    /// `lead.stage_exited` for leaving this stage, with why.
    func recordExit(
        _ reason: StageTransitions.ExitReason, org: String, leadID: Int, externalID: String,
        events: inout LeadEventLog
    ) {
        events.record(.stageExited, org: org, leadID: leadID, externalID: externalID) { event in
            fill(&event)
            event.reason = reason.rawValue
        }
    }

    /// `lead.pipeline_ended` for leaving this stage's pipeline: the pipeline fields only.
    func recordPipelineEnd(org: String, leadID: Int, externalID: String, events: inout LeadEventLog) {
        events.record(.pipelineEnded, org: org, leadID: leadID, externalID: externalID) { event in
            event.pipelineID = Int64(pipelineID)
            event.pipeline = pipeline
        }
    }
}
