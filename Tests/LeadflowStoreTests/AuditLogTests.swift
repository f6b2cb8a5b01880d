import LeadflowDomain
import Postgres
import Testing

@testable import LeadflowStore

/// The audit log's reads: a reader sees the entries its scope covers (the rule of `AdminScope.covers`, as SQL),
/// filtered and paged.
@Suite("Audit log")
struct AuditLogTests {
    @Test("a scoped reader sees entries about some of its organizations only; every organization sees all; pages go down by id")
    func scopeAndPages() async throws {
        try await withMigratedDatabase { connection in
            let entries: [[String]] = [["acme"], ["globex"], ["acme", "globex"], [], ["acme"]]
            try await connection.withTransaction { connection in
                for (index, organizations) in entries.enumerated() {
                    try AuditLog.record(
                        index == 3 ? .tokenCreate : .organizationLimitsSet, by: .init(tokenID: nil, name: "cli:test"),
                        organizations: organizations, target: "t\(index)", detail: PostgresJSON("{}"), rowsAffected: 1,
                        on: connection)
                }
            }
            func targets(_ filter: AuditLog.Filter, before: Int? = nil, limit: Int = 10) async throws -> [String] {
                try await connection.withTransaction { try AuditLog.list(filter, before: before, limit: limit, on: $0) }
                    .entries.map(\.target)
            }
            #expect(try await targets(.init(scope: .allOrganizations)) == ["t4", "t3", "t2", "t1", "t0"])
            #expect(try await targets(.init(scope: .organizations(["acme"]))) == ["t4", "t0"])
            #expect(try await targets(.init(scope: .organizations(["acme", "globex"]))) == ["t4", "t2", "t1", "t0"])
            #expect(try await targets(.init(scope: .allOrganizations, org: "globex")) == ["t2", "t1"])
            #expect(try await targets(.init(scope: .allOrganizations, action: .tokenCreate)) == ["t3"])
            let first = try await connection.withTransaction {
                try AuditLog.list(.init(scope: .allOrganizations), limit: 2, on: $0)
            }
            #expect(first.entries.map(\.target) == ["t4", "t3"])
            #expect(try await targets(.init(scope: .allOrganizations), before: first.next) == ["t2", "t1", "t0"])
        }
    }
}
