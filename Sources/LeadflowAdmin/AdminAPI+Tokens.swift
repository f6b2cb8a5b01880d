import Foundation
import LeadflowAdminAPI
import LeadflowDomain
import LeadflowStore

extension AdminAPI {
    func listTokens(_ input: Operations.ListTokens.Input) async throws -> Operations.ListTokens.Output {
        let principal = try AdminPrincipal.required()
        let includeRevoked = input.query.includeRevoked ?? false
        let tokens = try await database.withTransaction { try AdminTokens.list(includeRevoked: includeRevoked, on: $0) }
        let visible = tokens.filter { principal.scope.covers($0.scope) }
        return .ok(.init(body: .json(.init(tokens: try visible.map(Components.Schemas.Token.init)))))
    }

    func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        let principal = try AdminPrincipal.required()
        guard case .json(let body) = input.body else {
            throw AdminProblem(.unsupportedMediaType, "the body must be application/json")
        }
        guard let role = AdminRole(rawValue: body.role.rawValue) else {
            throw AdminProblem(.badRequest, "role must be viewer, operator or admin", field: "role")
        }
        let requested = AdminScope(body.organizations)
        guard principal.scope.covers(requested) else {
            let detail =
                body.organizations == nil
                ? "token '\(principal.token.name)' is scoped to organizations and cannot make a token for every organization"
                : "token '\(principal.token.name)' may only make tokens for its own organizations"
            throw AdminProblem(.forbidden, detail)
        }
        let expiresAt = try body.expiresIn.map { seconds in
            Date().addingTimeInterval(Double(try RequestCheck.range(seconds, 60...315_360_000, field: "expires_in")))
        }
        let actor = principal.actor
        let issued = try await database.withTransaction { connection in
            try TokenAdministration.create(
                name: body.name, role: role, organizations: body.organizations, expiresAt: expiresAt, by: actor,
                on: connection)
        }
        return .created(.init(body: .json(.init(secret: issued.secret.revealed, token: try .init(issued.token)))))
    }

    func revokeToken(_ input: Operations.RevokeToken.Input) async throws -> Operations.RevokeToken.Output {
        let principal = try AdminPrincipal.required()
        let id = Int(try RequestCheck.range(input.path.id, 1...Int64.max, field: "id"))
        let revoked = try await database.withTransaction { connection in
            try TokenAdministration.revoke(id: id, visibleTo: principal.scope, by: principal.actor, on: connection)
        }
        return .ok(.init(body: .json(try .init(revoked))))
    }
}
