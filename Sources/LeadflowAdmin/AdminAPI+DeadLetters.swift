import Foundation
import LeadflowAdminAPI
import LeadflowDomain
import LeadflowStore
import Postgres

extension AdminAPI {
    func listDeadLetters(_ input: Operations.ListDeadLetters.Input) async throws -> Operations.ListDeadLetters.Output {
        let principal = try AdminPrincipal.required()
        let query = input.query
        let limit = try RequestCheck.range(query.limit ?? 50, 1...1000, field: "limit")
        let org = try query.org.map { try RequestCheck.organization($0, field: "org") }
        let errorContains = try query.error.map { try RequestCheck.text($0, 1...200, field: "error") }
        let cursor = try query.cursor.map { text in
            guard let cursor = DeadLetterCursor(text) else {
                throw AdminProblem(.badRequest, "cursor is not a next_cursor of a previous page", field: "cursor")
            }
            return cursor
        }
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
        let id = try Self.actionID(input.path.id)
        let letter = try await database.withTransaction { connection in
            let before = try Self.visibleAction(id, to: principal, on: connection).letter
            // The admin service has no PUB socket subscribers connect to; the bus sees the replay as the
            // schedulers' action_dispatched that follows (docs/dead-letters.md). The lead history keeps it, with
            // the token that made it.
            var events = LeadEventLog(recording: false, history: true, actor: principal.historyActor)
            let report = try DeadLetters.replay(.ids([id]), events: &events, on: connection)
            try Self.refuseSkipped(report, control: "replayed")
            try LeadHistory.write(events, on: connection)
            try AuditLog.record(
                .deadLetterReplay, by: principal.actor, organizations: [before.org], target: "dead_letter:\(id)",
                detail: try PostgresJSON(encoding: ControlDetail(before)), rowsAffected: report.applied.count,
                on: connection)
            return try Self.visibleAction(id, to: principal, on: connection).letter
        }
        return .ok(.init(body: .json(try .init(letter))))
    }

    func discardDeadLetter(_ input: Operations.DiscardDeadLetter.Input) async throws -> Operations.DiscardDeadLetter.Output {
        let principal = try AdminPrincipal.required()
        let id = try Self.actionID(input.path.id)
        let letter = try await database.withTransaction { connection in
            let before = try Self.visibleAction(id, to: principal, on: connection).letter
            let report = try DeadLetters.discard(.ids([id]), on: connection)
            try Self.refuseSkipped(report, control: "discarded")
            try AuditLog.record(
                .deadLetterDiscard, by: principal.actor, organizations: [before.org], target: "dead_letter:\(id)",
                detail: try PostgresJSON(encoding: ControlDetail(before)), rowsAffected: report.applied.count,
                on: connection)
            return try Self.visibleAction(id, to: principal, on: connection).letter
        }
        return .ok(.init(body: .json(try .init(letter))))
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

    /// A 409 naming the state when the control skipped its one action.
    private static func refuseSkipped(_ report: DeadLetters.Report, control: String) throws(AdminProblem) {
        guard let skip = report.skipped.first else { return }
        throw AdminProblem(
            .conflict, "action \(skip.actionID) cannot be \(control): \(skip.reason)", state: "\(skip.reason)")
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
