import LeadflowDomain
import LeadflowStore

/// The token a request was authenticated with, for the length of the request (a task-local value set by
/// ``AuthenticationMiddleware``): its role, its organizations, and the actor its changes are audited under.
public struct AdminPrincipal: Sendable, Hashable {
    public let token: AdminToken

    public init(token: AdminToken) { self.token = token }

    public var role: AdminRole { token.role }
    public var scope: AdminScope { token.scope }
    public var actor: AuditEntry.Actor { AuditEntry.Actor(tokenID: token.id, name: token.name) }
    /// Who the lead history says made an act: `token:<name>` (the command line's are `cli:<user>`).
    public var historyActor: String { actor.historyName }

    /// The authenticated token of the request being handled; nil outside one (or for the health endpoints).
    @TaskLocal public static var current: AdminPrincipal?

    /// The current request's token; a handler behind the middleware always has one.
    static func required() throws -> AdminPrincipal {
        guard let current else { throw AdminProblem(.unauthorized, "this operation needs a bearer token") }
        return current
    }
}
