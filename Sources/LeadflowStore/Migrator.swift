import Logging
import Postgres

/// Brings a database's schema up to date with `Migration.all`, safely when several processes start at once.
///
/// Each migration runs in its own transaction that first takes a transaction-scoped advisory lock, so
/// concurrent migrators queue up and each migration is applied exactly once; a migration that fails leaves
/// the ones before it applied and nothing of itself. Running it again on a current schema changes nothing.
public struct Migrator: Sendable {
    /// The `pg_advisory_xact_lock` key all migrators agree on ("leadflow" in ASCII).
    public static let advisoryLockKey = 0x6C65_6164_666C_6F77

    public let migrations: [Migration]
    private let logger: Logger

    public init(migrations: [Migration] = Migration.all, logger: Logger? = nil) {
        let versions = migrations.map(\.version)
        precondition(versions.first.map { $0 > 0 } ?? true, "migration versions start at 1")
        precondition(zip(versions, versions.dropFirst()).allSatisfy { $0 < $1 }, "migration versions must increase")
        self.migrations = migrations
        self.logger = logger ?? Logger(label: "leadflow.store", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Connects to `url`, applies the pending migrations, and disconnects.
    public func migrate(url: String) async throws -> MigrationReport {
        try await PostgresConnection.withConnection(configuration: .init(url: url), logger: logger) { connection in
            try await migrate(connection: connection)
        }
    }

    /// Applies the pending migrations over an open connection.
    public func migrate(connection: PostgresConnection) async throws -> MigrationReport {
        let lockKey = Self.advisoryLockKey
        try await connection.withTransaction { connection in
            // Under the lock: concurrent CREATE TABLE IF NOT EXISTS can otherwise fail on the catalog's unique index.
            try connection.execute("SELECT pg_advisory_xact_lock($1)", [lockKey])
            try connection.executeScript(Self.bookkeepingSQL)
        }
        var applied: [Int] = []
        for migration in migrations {
            let logger = self.logger
            let didApply = try await connection.withTransaction { connection in
                try connection.execute("SELECT pg_advisory_xact_lock($1)", [lockKey])
                let recorded = try connection.query(
                    "SELECT checksum FROM schema_migrations WHERE version = $1", [migration.version]
                ).scalar(String.self)
                if let recorded {
                    if recorded != migration.checksum {
                        logger.warning(
                            "an applied migration has changed since; the database keeps what was applied",
                            metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
                    }
                    return false
                }
                try connection.executeScript(migration.sql)
                try connection.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    [migration.version, migration.name, migration.checksum])
                return true
            }
            if didApply {
                applied.append(migration.version)
                logger.info(
                    "applied migration",
                    metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
            }
        }
        let rows = try await connection.query("SELECT version FROM schema_migrations ORDER BY version")
        let recorded = try rows.map { try $0.decode(Int.self, at: 0) }
        let known = Set(migrations.map(\.version))
        let unknown = recorded.filter { !known.contains($0) }
        if !unknown.isEmpty {
            // A newer binary migrated this database; running older code against it is the operator's call.
            logger.warning(
                "the database has migrations this program does not know",
                metadata: ["migration.unknown_versions": "\(unknown)"])
        }
        return MigrationReport(appliedVersions: applied, currentVersion: recorded.last ?? 0)
    }

    /// The migrations of ``migrations`` the database has not applied (all of them before the first `migrate`):
    /// what a service's readiness check reports.
    public func pending(connection: PostgresConnection) async throws -> [Migration] {
        let recorded: Set<Int>
        do {
            recorded = Set(try await connection.query("SELECT version FROM schema_migrations").map { try $0.decode(Int.self, at: 0) })
        } catch let error as PostgresError where error.sqlState == .undefinedTable {
            recorded = []
        }
        return migrations.filter { !recorded.contains($0.version) }
    }

    static let bookkeepingSQL = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     integer PRIMARY KEY,
            name        text NOT NULL,
            checksum    text NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now()
        );
        """
}
