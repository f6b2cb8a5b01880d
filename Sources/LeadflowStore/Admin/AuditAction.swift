/// What an audit log entry records (`audit_log.action`); stable names, read by operators and the API.
public enum AuditAction: String, Sendable, CaseIterable, Codable {
    case deadLetterReplay = "dead_letter.replay"
    case deadLetterDiscard = "dead_letter.discard"
    case organizationLimitsSet = "organization.limits.set"
    case tokenCreate = "token.create"
    case tokenRevoke = "token.revoke"
    case leadCancel = "lead.cancel"
    case leadMove = "lead.move"
    case leadReplay = "lead.replay"
    case organizationPause = "organization.pause"
    case organizationResume = "organization.resume"
}
