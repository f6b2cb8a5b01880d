import LeadflowDomain

/// A lead about to enter a pipeline stage.
public struct StageEntry: Sendable, Hashable {
    public var leadID: Int
    public var org: String
    public var pipelineID: Int
    public var stageID: Int
    /// The trace the stage's work carries (`lead_stages.trace_parent`); `nil` leaves it without one.
    public var trace: TraceParent?

    public init(leadID: Int, org: String, pipelineID: Int, stageID: Int, trace: TraceParent? = nil) {
        self.leadID = leadID
        self.org = org
        self.pipelineID = pipelineID
        self.stageID = stageID
        self.trace = trace
    }
}
