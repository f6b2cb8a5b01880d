import Foundation
import LeadflowAdminAPI
import LeadflowDomain
import LeadflowStore
import Logging
import Postgres

/// The operations of openapi/admin.yaml over the store: each reads or changes in one transaction on the
/// service's pool (libpq runs on each connection's own thread, never on the cooperative pool), and each
/// change writes its audit entry in that transaction. Who may call what is decided before a handler runs
/// (``AccessMiddleware``); which organizations a token sees is decided here, as 404s.
struct AdminAPI: APIProtocol {
    let database: PostgresClient
    let migrator: Migrator
    let logger: Logger
    /// `/unsubscribe/{token}`: its keys, its bad-token limiter, how it records.
    let oneClick: OneClickUnsubscribe
    /// `tenant.*`, for "why is it waiting".
    var tenantDefaults = ChannelLimits()
    /// `scheduler.max_attempts`, for the stages a move enters.
    var defaultMaxAttempts = 5

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .json(.init(status: .ok))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        let pending: [Migration]
        do {
            pending = try await database.withConnection { try await migrator.pending(connection: $0) }
        } catch {
            throw AdminProblem(.notReady, "the database is unreachable: \(error)")
        }
        guard pending.isEmpty else {
            let names = pending.map { "\($0.version) (\($0.name))" }.joined(separator: ", ")
            throw AdminProblem(.notReady, "the database lacks migrations \(names): run leadflow migrate")
        }
        return .ok(.init(body: .json(.init(status: .ready, schemaVersion: migrator.migrations.last?.version ?? 0))))
    }

    func getCurrentToken(_ input: Operations.GetCurrentToken.Input) async throws -> Operations.GetCurrentToken.Output {
        let token = try AdminPrincipal.required().token
        return .ok(.init(body: .json(try .init(token))))
    }
}
