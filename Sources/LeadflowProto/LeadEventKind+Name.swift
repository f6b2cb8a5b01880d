extension Leadflow_V1_LeadEvent.Kind {
    /// The kind's name in subjects (`lead.<name>.<org>`) and in the lead history: past tense, so it never
    /// collides with a command (`lead.upsert`).
    public var subjectToken: String {
        switch self {
        case .created: "created"
        case .updated: "updated"
        case .enrolled: "enrolled"
        case .stageEntered: "stage_entered"
        case .stageExited: "stage_exited"
        case .replied: "replied"
        case .unsubscribed: "unsubscribed"
        case .deleted: "deleted"
        case .actionDispatched: "action_dispatched"
        case .actionSucceeded: "action_succeeded"
        case .actionRetrying: "action_retrying"
        case .actionDead: "action_dead"
        case .actionReplayed: "action_replayed"
        case .pipelineEnded: "pipeline_ended"
        case .resubscribed: "resubscribed"
        case .actionCanceled: "action_canceled"
        case .unspecified, .UNRECOGNIZED: "unspecified"
        }
    }
}
