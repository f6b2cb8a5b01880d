/// The organizations an admin API token reaches: every one, or a list. One rule decides what a token sees, so
/// a token of organization A learns nothing about organization B (docs/admin-api.md, "Scoping").
public enum AdminScope: Sendable, Hashable {
    case allOrganizations
    case organizations(Set<String>)

    /// A scope from a stored list: `nil` is every organization.
    public init(_ organizations: [String]?) {
        self = organizations.map { .organizations(Set($0)) } ?? .allOrganizations
    }

    /// The list as stored: `nil` for every organization, otherwise sorted.
    public var organizations: [String]? {
        switch self {
        case .allOrganizations: nil
        case .organizations(let set): set.sorted()
        }
    }

    /// Whether objects of `org` are visible.
    public func contains(_ org: String) -> Bool {
        switch self {
        case .allOrganizations: true
        case .organizations(let set): set.contains(org)
        }
    }

    /// Whether everything `other` reaches is inside this scope: what a token may grant, and which tokens and
    /// audit entries it sees. An empty list (an act about no organization in particular) is covered only by
    /// every organization, since it may concern any of them.
    public func covers(_ other: AdminScope) -> Bool {
        switch (self, other) {
        case (.allOrganizations, _): true
        case (.organizations, .allOrganizations): false
        case (.organizations(let mine), .organizations(let theirs)): !theirs.isEmpty && theirs.isSubset(of: mine)
        }
    }
}
