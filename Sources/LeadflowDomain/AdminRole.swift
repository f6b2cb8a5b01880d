/// What an admin API token may do; each role includes the ones before it (docs/admin-api.md).
public enum AdminRole: String, Sendable, CaseIterable, Codable, Comparable {
    /// Reads: dead letters, limits, its own token.
    case viewer
    /// Also the controls: replay and discard dead letters.
    case `operator`
    /// Also organization limits, tokens and the audit log.
    case admin

    /// Whether a token of this role may do what `required` is needed for.
    public func allows(_ required: AdminRole) -> Bool { self >= required }

    public static func < (lhs: AdminRole, rhs: AdminRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
