import Foundation
import LeadflowDomain
import Postgres

/// Which dead actions a listing, replay or discard is about; an empty filter means every dead action.
public struct DeadLetterFilter: Sendable, Hashable {
    /// Only this organization's.
    public var org: String?
    /// Only actions of this type.
    public var type: ActionType?
    /// Only actions that died at or after this moment (`completed_at >= since`).
    public var since: Date?
    /// Only actions whose last error contains this text, ignoring case (`%` and `_` match themselves).
    public var errorContains: String?
    /// Only these organizations' — what an admin API token may see; nil: every organization.
    public var organizations: [String]?

    public init(
        org: String? = nil, type: ActionType? = nil, since: Date? = nil, errorContains: String? = nil,
        organizations: [String]? = nil
    ) {
        self.org = org
        self.type = type
        self.since = since
        self.errorContains = errorContains
        self.organizations = organizations
    }

    /// Whether the filter selects every dead action.
    public var isEmpty: Bool {
        org == nil && type == nil && since == nil && errorContains == nil && organizations == nil
    }

    /// The `ILIKE` pattern for ``errorContains``: a substring match where the LIKE wildcards and the escape
    /// character in the text stand for themselves.
    var errorPattern: String? {
        errorContains.map { text in
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_")
            return "%\(escaped)%"
        }
    }

    /// The statement parameters `$1…$5` that ``DeadLetters`` SQL binds the filter to.
    var parameters: [any PostgresEncodable] { [org, type?.rawValue, since, errorPattern, organizations] }
}
