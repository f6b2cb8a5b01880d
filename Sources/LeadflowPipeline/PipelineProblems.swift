import LeadflowDomain

/// Every problem of one pipeline definition, thrown together so they can be fixed in one pass.
public typealias PipelineProblems = SourceProblems
