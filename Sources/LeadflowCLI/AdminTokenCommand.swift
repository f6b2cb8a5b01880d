import ArgumentParser
import Foundation
import LeadflowAdmin
import LeadflowDomain
import LeadflowPipeline
import LeadflowStore
import Postgres

/// `leadflow admin token …`: the admin API's bearer tokens, straight in the database — how the first admin
/// token is made.
struct AdminTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make, list or revoke admin API tokens (stored as SHA-256 hashes; docs/admin-api.md).",
        subcommands: [Create.self, List.self, Revoke.self])

    /// The actor audit entries of the command line name: `cli:<user>`, as in the lead history.
    static var actor: AuditEntry.Actor { AuditEntry.Actor(tokenID: nil, name: CLIActor.current) }

    /// Runs `body` in one transaction; a refused request becomes its message.
    static func inTransaction<T: Sendable>(
        _ database: DatabaseOptions, _ body: @escaping @Sendable (isolated PostgresConnection) throws -> T
    ) async throws -> T {
        do {
            return try await database.withConnection(logger: CLILogging.logger("admin")) { connection in
                try await connection.withTransaction(body)
            }
        } catch let problem as AdminProblem {
            throw CLIError(problem.detail)
        }
    }

    /// `token create`: prints the new token once, on stdout alone.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token; it is printed once, on standard output, and never stored.",
            discussion: """
                Roles: viewer (reads), operator (also replays and discards dead letters), admin (also limits, tokens \
                and the audit log). Without --org the token reaches every organization. The act is written to the \
                audit log as cli:<user>.
                """)

        @Option(help: ArgumentHelp("A name for people (unique among tokens not revoked).", valueName: "name"))
        var name: String

        @Option(help: ArgumentHelp("viewer, operator or admin.", valueName: "role"))
        var role: String

        @Option(
            name: .customLong("org"),
            help: ArgumentHelp("Scope the token to this organization (repeatable; default: every organization).", valueName: "org"))
        var organizations: [String] = []

        @Option(
            name: .customLong("expires-in"),
            help: ArgumentHelp("Let the token stop working after this long (90d, 12h; default: never).", valueName: "duration"))
        var expiresIn: String?

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard AdminRole(rawValue: role) != nil else {
                throw ValidationError("--role must be viewer, operator or admin (got \(role))")
            }
            if organizations.contains(where: \.isEmpty) {
                throw ValidationError("--org: an organization name is empty (an unset variable?); name one")
            }
            if let expiresIn, (try? PipelineDuration.seconds(from: expiresIn)).map({ $0 > 0 }) != true {
                throw ValidationError("--expires-in: expected a positive duration such as 90d, 12h or 30m")
            }
        }

        func run() async throws {
            let (name, role, organizations) = (name, AdminRole(rawValue: role)!, organizations.isEmpty ? nil : organizations)
            let expiresAt = try expiresIn.map { Date().addingTimeInterval(Double(try PipelineDuration.seconds(from: $0))) }
            let actor = AdminTokenCommand.actor
            let issued = try await AdminTokenCommand.inTransaction(database) { connection in
                try TokenAdministration.create(
                    name: name, role: role, organizations: organizations, expiresAt: expiresAt, by: actor, on: connection)
            }
            let token = issued.token
            let scope = token.scope.organizations.map { "organizations \($0.joined(separator: ", "))" } ?? "every organization"
            FileHandle.standardError.write(
                Data("token \(token.id) '\(token.name)' made: \(token.role.rawValue), \(scope); it is shown this once\n".utf8))
            print(issued.secret.revealed)
        }
    }

    /// `token list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @Flag(help: "Also list revoked tokens.")
        var all = false

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let all = all
            let tokens = try await AdminTokenCommand.inTransaction(database) { try AdminTokens.list(includeRevoked: all, on: $0) }
            guard !tokens.isEmpty else { return print(all ? "no tokens" : "no tokens in use") }
            var table = TextTable([
                .init("ID"), .init("NAME"), .init("ROLE"), .init("ORGANIZATIONS", maxWidth: 60), .init("CREATED"),
                .init("BY"), .init("LAST USED"), .init("EXPIRES"), .init("REVOKED"),
            ])
            func time(_ date: Date?) -> String { date.map(RFC3339Time.string) ?? "-" }
            for token in tokens {
                table.append([
                    "\(token.id)", token.name, token.role.rawValue, token.scope.organizations?.joined(separator: ",") ?? "all",
                    time(token.createdAt), token.createdBy, time(token.lastUsedAt), time(token.expiresAt), time(token.revokedAt),
                ])
            }
            print(table.rendered())
        }
    }

    /// `token revoke ID`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token: it stops working at once (every request looks its token up).")

        @Argument(help: "The token's id (leadflow admin token list).")
        var id: Int

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (id, actor) = (id, AdminTokenCommand.actor)
            let token = try await AdminTokenCommand.inTransaction(database) { connection in
                try TokenAdministration.revoke(id: id, visibleTo: .allOrganizations, by: actor, on: connection)
            }
            print("token \(token.id) '\(token.name)' revoked")
        }
    }
}
