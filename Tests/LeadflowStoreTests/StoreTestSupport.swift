import LeadflowStore
import LeadflowTestKit
import Postgres

/// A freshly migrated database for the duration of `body`.
func withMigratedDatabase<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
    try await TestDatabase.withFreshDatabase { url in
        _ = try await Migrator().migrate(url: url)
        return try await PostgresConnection.withConnection(configuration: .init(url: url)) { try await body($0) }
    }
}

/// One organization, pipeline, stage and email action, and one lead currently in that stage.
let seedOneLead = """
    INSERT INTO organizations (id) VALUES ('acme');
    INSERT INTO pipelines (org_id, name) VALUES ('acme', 'onboarding');
    INSERT INTO pipeline_stages (pipeline_id, position, name)
        SELECT id, 0, 'welcome' FROM pipelines WHERE name = 'onboarding';
    INSERT INTO pipeline_stage_actions (stage_id, seq, type, config)
        SELECT id, 0, 'email', '{"template": "hello"}' FROM pipeline_stages WHERE name = 'welcome';
    INSERT INTO leads (org_id, external_id, email) VALUES ('acme', 'lead-1', 'ada@example.com');
    INSERT INTO lead_stages (lead_id, org_id, pipeline_id, stage_id)
        SELECT l.id, l.org_id, p.id, s.id FROM leads l, pipelines p, pipeline_stages s;
    """

/// A catalog dump of the public schema (columns, defaults, indexes, constraints) and the migration records,
/// to show that a second migration run changes nothing.
let catalogDump = """
    SELECT string_agg(line, E'\\n' ORDER BY line) FROM (
        SELECT format('column %s.%s %s not null=%s default=%s', c.relname, a.attname,
                      format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid))
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT format('index %s', pg_get_indexdef(i.indexrelid))
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public'
        UNION ALL
        SELECT format('constraint %s.%s %s', c.relname, k.conname, pg_get_constraintdef(k.oid))
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public'
        UNION ALL
        SELECT format('migration %s %s %s %s', version, name, checksum, applied_at) FROM schema_migrations
    ) AS lines (line)
    """
