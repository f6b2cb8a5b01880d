import LeadflowDomain
import Postgres
import Testing

/// The pure domain mirrors the schema's CHECK constraints; these tests read the constraints from a migrated
/// database, so a migration and the domain cannot drift apart unnoticed.
@Suite("Domain enums match the schema")
struct DomainSchemaTests {
    /// The quoted literals of a CHECK constraint's definition, in order.
    func literals(of constraint: String, on table: String, _ connection: PostgresConnection) async throws -> [String] {
        let definition = try await connection.query(
            """
            SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relname = $1 AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%' || $2 || '%ANY%'
            """, [table, constraint]
        ).scalar(String.self) ?? ""
        return definition.split(separator: "'").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    @Test("lead_stage_actions.status allows exactly ActionStatus's cases")
    func statuses() async throws {
        try await withMigratedDatabase { connection in
            let values = try await literals(of: "status", on: "lead_stage_actions", connection)
            #expect(values == ActionStatus.allCases.map(\.rawValue))
        }
    }

    @Test("action types in the schema are exactly ActionType's cases", arguments: ["lead_stage_actions", "pipeline_stage_actions"])
    func types(table: String) async throws {
        try await withMigratedDatabase { connection in
            let values = try await literals(of: "type", on: table, connection)
            #expect(values == ActionType.allCases.map(\.rawValue))
        }
    }
}
