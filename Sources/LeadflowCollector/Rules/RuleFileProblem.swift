import LeadflowDomain

/// One problem found in a rule file, located by line and column.
public typealias RuleFileProblem = SourceProblem
