import LeadflowDomain

/// One problem found in a pipeline definition, located by line and column in its source.
public typealias PipelineProblem = SourceProblem
