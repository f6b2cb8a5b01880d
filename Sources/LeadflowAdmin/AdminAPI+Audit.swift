import LeadflowAdminAPI
import LeadflowStore

extension AdminAPI {
    func listAudit(_ input: Operations.ListAudit.Input) async throws -> Operations.ListAudit.Output {
        let principal = try AdminPrincipal.required()
        let query = input.query
        let limit = try RequestCheck.pageLimit(query.limit)
        let org = try query.org.map { try RequestCheck.organization($0, field: "org") }
        let before = try RequestCheck.cursor(query.cursor) { Int($0).flatMap { $0 > 0 ? $0 : nil } }
        let filter = AuditLog.Filter(
            scope: principal.scope, org: org, action: query.action.flatMap { AuditAction(rawValue: $0.rawValue) })
        let page = try await database.withTransaction { try AuditLog.list(filter, before: before, limit: limit, on: $0) }
        return .ok(
            .init(body: .json(.init(entries: try page.entries.map(Components.Schemas.AuditEntry.init), nextCursor: page.next.map(String.init)))))
    }
}
