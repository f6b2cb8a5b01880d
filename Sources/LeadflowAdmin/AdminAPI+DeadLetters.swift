import Foundation
import LeadflowAdminAPI
import LeadflowDomain
import LeadflowStore
import Postgres

extension AdminAPI {
    func listDeadLetters(_ input: Operations.ListDeadLetters.Input) async throws -> Operations.ListDeadLetters.Output {
        let principal = try AdminPrincipal.required()
        let query = input.query
        let limit = try RequestCheck.pageLimit(query.limit)
        let org = try query.org.map { try RequestCheck.organization($0, field: "org") }
        let errorContains = try query.error.map { try RequestCheck.text($0, 1...200, field: "error") }
        let cursor = try RequestCheck.cursor(query.cursor, DeadLetterCursor.init)
        let filter = DeadLetterFilter(
            org: org, type: query._type.flatMap { ActionType(rawValue: $0.rawValue) }, since: query.since,
            errorContains: errorContains, organizations: principal.scope.organizations)
        let page = try await database.withTransaction { try DeadLetters.list(filter, after: cursor, limit: limit, on: $0) }
        return .ok(
            .init(body: .json(.init(deadLetters: try page.letters.map(Components.Schemas.DeadLetter.init), nextCursor: page.next?.description))))
    }

    func getDeadLetter(_ input: Operations.GetDeadLetter.Input) async throws -> Operations.GetDeadLetter.Output {
        let principal = try AdminPrincipal.required()
        let id = try Self.actionID(input.path.id)
        let detail = try await database.withTransaction { try Self.visibleAction(id, to: principal, on: $0) }
        return .ok(.init(body: .json(try .init(detail))))
    }

    func replayDeadLetter(_ input: Operations.ReplayDeadLetter.Input) async throws -> Operations.ReplayDeadLetter.Output {
        let principal = try AdminPrincipal.required()
        let letter = try await control(input.path.id, .deadLetterReplay, "replayed", by: principal) { id, connection in
            // The admin service has no PUB socket subscribers connect to; the bus sees the replay as the
            // schedulers' action_dispatched that follows (docs/dead-letters.md). The lead history keeps it, with
            // the token that made it.
            var events = LeadEventLog(recording: false, history: true, actor: principal.historyActor)
            let report = try DeadLetters.replay(.ids([id]), events: &events, on: connection)
            if report.skipped.isEmpty { try LeadHistory.write(events, on: connection) }
            return report
        }
        return .ok(.init(body: .json(try .init(letter))))
    }

    func discardDeadLetter(_ input: Operations.DiscardDeadLetter.Input) async throws -> Operations.DiscardDeadLetter.Output {
        let principal = try AdminPrincipal.required()
        let letter = try await control(input.path.id, .deadLetterDiscard, "discarded", by: principal) { id, connection in
            try DeadLetters.discard(.ids([id]), on: connection)
        }
        return .ok(.init(body: .json(try .init(letter))))
    }

    /// Runs a control on one action in one transaction: the action must be visible to the token (404), the
    /// control must take it (409 naming why not), then the audit entry; returns the action as it is now.
    private func control(
        _ rawID: Int64, _ action: AuditAction, _ past: String, by principal: AdminPrincipal,
        _ change: @escaping @Sendable (Int, isolated PostgresConnection) throws -> DeadLetters.Report
    ) async throws -> DeadLetter {
        let id = try Self.actionID(rawID)
        return try await database.withTransaction { connection in
            let before = try Self.visibleAction(id, to: principal, on: connection).letter
            let report = try change(id, connection)
            if let skip = report.skipped.first {
                throw AdminProblem(
                    .conflict, "action \(skip.actionID) cannot be \(past): \(skip.reason)", state: "\(skip.reason)")
            }
            try AuditLog.record(
                action, by: principal.actor, organizations: [before.org], target: "dead_letter:\(id)",
                detail: try PostgresJSON(encoding: ControlDetail(before)), rowsAffected: report.applied.count,
                on: connection)
            return try Self.visibleAction(id, to: principal, on: connection).letter
        }
    }

    /// The action with `id` if the token's organizations include its organization; a 404 otherwise, the same
    /// as for an id that does not exist.
    static func visibleAction(
        _ id: Int, to principal: AdminPrincipal, on connection: isolated PostgresConnection
    ) throws -> DeadLetterDetail {
        guard let detail = try DeadLetters.show(id, on: connection), principal.scope.contains(detail.letter.org) else {
            throw AdminProblem(.notFound, "action \(id) not found")
        }
        return detail
    }

    static func actionID(_ id: Int64) throws(AdminProblem) -> Int {
        Int(try RequestCheck.range(id, 1...Int64.max, field: "id"))
    }

    /// What a replay or discard audit entry keeps of the action before the change.
    private struct ControlDetail: Encodable {
        let type: String
        let status: String
        let leadID: Int
        let externalID: String
        let pipeline: String
        let stage: String
        let attempts: Int
        let lastError: String?

        init(_ letter: DeadLetter) {
            type = letter.type.rawValue
            status = letter.status.rawValue
            leadID = letter.leadID
            externalID = letter.externalID
            pipeline = letter.pipeline
            stage = letter.stage
            attempts = letter.attempts
            lastError = letter.lastError
        }

        enum CodingKeys: String, CodingKey {
            case type, status, pipeline, stage, attempts
            case leadID = "lead_id"
            case externalID = "external_id"
            case lastError = "last_error"
        }
    }
}
