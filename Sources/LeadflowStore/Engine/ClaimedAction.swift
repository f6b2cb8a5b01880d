import Foundation
import LeadflowDomain
import LeadflowProto

/// An external action the scheduler claimed for a handler: leased, its attempt counted, with the lead's fields
/// as they were at the claim.
public struct ClaimedAction: Sendable {
    public let actionID: Int
    public let type: ActionType
    /// 1 for the first attempt.
    public let attempt: Int
    public let org: String
    public let leadStageID: Int
    /// The definition row the action runs (its config).
    public let pipelineActionID: Int
    public let idempotencyKey: String
    public let lead: Leadflow_V1_LeadSnapshot
    /// The trace of the action's lead stage; a new one for a row from before migration 8. The dispatch carries
    /// a child of it.
    public let trace: TraceParent
    /// When the action became due (its `perform_at` at the claim): where its step lag starts.
    public let dueAt: Date
}
