/// What a `Migrator` run did: the versions it applied now and the schema version the database is at.
public struct MigrationReport: Hashable, Sendable, CustomStringConvertible {
    /// Versions applied by this run, in order; empty when the schema was already current.
    public var appliedVersions: [Int]
    /// The highest version recorded in `schema_migrations` after the run (0 for an empty database).
    public var currentVersion: Int

    public init(appliedVersions: [Int], currentVersion: Int) {
        self.appliedVersions = appliedVersions
        self.currentVersion = currentVersion
    }

    public var description: String {
        if appliedVersions.isEmpty { return "schema is up to date at version \(currentVersion)" }
        let versions = appliedVersions.map(String.init).joined(separator: ", ")
        return "applied \(appliedVersions.count) migration(s) (\(versions)); schema is at version \(currentVersion)"
    }
}
