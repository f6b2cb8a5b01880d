import Foundation
import LeadflowAdmin
import LeadflowDomain
import LeadflowStore
import Postgres

/// The two admin tokens `leadflow dev` prints for its private database, so the console can be opened at once:
/// `dev-viewer` and `dev-operator`, each expiring after a day; the ones an earlier start made are revoked
/// first (names are unique among live tokens). Both acts are in the audit log as the CLI's user.
enum DevTokens {
    static let lifetime: TimeInterval = 24 * 3600

    /// Issues the pair; their secrets, viewer first.
    static func issue(on database: PostgresClient) async throws -> (viewer: String, operator: String) {
        let actor = CLIActor.audit
        let expiresAt = Date().addingTimeInterval(lifetime)
        return try await database.withTransaction { connection in
            var secrets: [String] = []
            for role in [AdminRole.viewer, .operator] {
                let name = "dev-\(role.rawValue)"
                for old in try AdminTokens.list(includeRevoked: false, on: connection) where old.name == name {
                    _ = try TokenAdministration.revoke(id: old.id, visibleTo: .allOrganizations, by: actor, on: connection)
                }
                let issued = try TokenAdministration.create(
                    name: name, role: role, organizations: nil, expiresAt: expiresAt, by: actor, on: connection)
                secrets.append(issued.secret.revealed)
            }
            return (secrets[0], secrets[1])
        }
    }
}
