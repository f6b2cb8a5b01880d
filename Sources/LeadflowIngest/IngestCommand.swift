import LeadflowProto

/// What a client asked ingest to do, decoded from the subject's message type.
public enum IngestCommand: Sendable, Equatable {
    case upsertLead(Leadflow_V1_LeadUpsert)
    case enroll(Leadflow_V1_LeadEnroll)
    case reply(Leadflow_V1_LeadReply)
    case unsubscribe(Leadflow_V1_LeadUnsubscribe)
    case resubscribe(Leadflow_V1_LeadResubscribe)
    case delete(Leadflow_V1_LeadDelete)
    case upsertPipeline(Leadflow_V1_PipelineDefinition)

    /// The external id of the lead the command is about (`nil` for a pipeline).
    public var externalID: String? {
        switch self {
        case .upsertLead(let message): message.externalID
        case .enroll(let message): message.externalID
        case .reply(let message): message.externalID
        case .unsubscribe(let message): message.externalID
        case .resubscribe(let message): message.externalID
        case .delete(let message): message.externalID
        case .upsertPipeline: nil
        }
    }
}
