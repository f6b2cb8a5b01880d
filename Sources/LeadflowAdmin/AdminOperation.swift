import LeadflowDomain

/// Every operation of openapi/admin.yaml by its `operationId`, with the role it needs (nil: no token). The
/// authentication middleware looks each request's operation up here: an operation missing from this table
/// is refused, never let through (`AdminOperationTableTests` fails for one the document has and this lacks).
public enum AdminOperation: String, Sendable, CaseIterable {
    case getHealth
    case getReadiness
    case getCurrentToken
    case listDeadLetters
    case getDeadLetter
    case replayDeadLetter
    case discardDeadLetter
    case getOrganizationLimits
    case setChannelLimits
    case listPauses
    case pauseOrganization
    case resumeOrganization
    case searchLeads
    case getLead
    case getLeadTimeline
    case cancelLead
    case moveLead
    case replayLead
    case cancelPipelineLeads
    case movePipelineLeads
    case listPipelines
    case getPipeline
    case pausePipeline
    case resumePipeline
    case listTokens
    case createToken
    case revokeToken
    case listAudit
    case getUnsubscribePage
    case unsubscribeOneClick

    /// The least role that may call it; nil for the health endpoints and the one-click unsubscribe links,
    /// which take no token.
    public var requiredRole: AdminRole? {
        switch self {
        case .getHealth, .getReadiness, .getUnsubscribePage, .unsubscribeOneClick: nil
        case .getCurrentToken, .listDeadLetters, .getDeadLetter, .getOrganizationLimits, .listPauses, .searchLeads,
            .getLead, .getLeadTimeline, .listPipelines, .getPipeline:
            .viewer
        case .replayDeadLetter, .discardDeadLetter, .pauseOrganization, .resumeOrganization, .cancelLead, .moveLead,
            .replayLead, .cancelPipelineLeads, .movePipelineLeads, .pausePipeline, .resumePipeline:
            .operator
        case .setChannelLimits, .listTokens, .createToken, .revokeToken, .listAudit: .admin
        }
    }
}
