import LeadflowDomain

/// An internal action a claim ran in SQL (a wait over, a move, an end, a wait-for-reply started or timed out),
/// reported so the scheduler can log it with its trace.
public struct InternalAction: Sendable, Hashable {
    public let actionID: Int
    public let type: ActionType
    public let org: String
    public let leadID: Int
    /// The trace of the action's lead stage; a new one for a row from before migration 8.
    public let trace: TraceParent
}
