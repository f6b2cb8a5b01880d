import LeadflowDomain

/// Every problem of one rule file, thrown together so they can be fixed in one pass.
public typealias RuleFileProblems = SourceProblems
