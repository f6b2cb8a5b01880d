/// A lead about to enter a pipeline stage.
public struct StageEntry: Sendable, Hashable {
    public var leadID: Int
    public var org: String
    public var pipelineID: Int
    public var stageID: Int

    public init(leadID: Int, org: String, pipelineID: Int, stageID: Int) {
        self.leadID = leadID
        self.org = org
        self.pipelineID = pipelineID
        self.stageID = stageID
    }
}
