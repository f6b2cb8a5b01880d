import Foundation

/// Where the PostgreSQL server programs are: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin.
struct PostgresBinaries: Sendable {
    let directory: String
    var initdb: String { directory + "/initdb" }
    var pgCtl: String { directory + "/pg_ctl" }

    static func locate(preferred: String?, runner: CommandRunner) throws -> PostgresBinaries {
        // An explicit directory is taken at its word: falling back elsewhere would hide a wrong setting.
        var candidates: [String] = preferred.map { [$0] } ?? []
        for pgConfig in ["/usr/bin/pg_config", "/usr/local/bin/pg_config"]
        where preferred == nil && FileManager.default.isExecutableFile(atPath: pgConfig) {
            if let result = try? runner.run(pgConfig, ["--bindir"], asServiceUser: false), result.status == 0 {
                candidates.append(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        let root = "/usr/lib/postgresql"
        let versions = preferred != nil ? [] : (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        // Numeric order, so 15 beats 9.6.
        for version in versions.sorted(by: { (Double($0) ?? 0) > (Double($1) ?? 0) }) {
            candidates.append("\(root)/\(version)/bin")
        }
        for directory in candidates {
            let binaries = PostgresBinaries(directory: directory)
            if FileManager.default.isExecutableFile(atPath: binaries.initdb),
                FileManager.default.isExecutableFile(atPath: binaries.pgCtl)
            {
                return binaries
            }
        }
        let searched = preferred ?? "pg_config --bindir or /usr/lib/postgresql/*/bin"
        throw LocalPostgresClusterError(
            code: .binariesNotFound,
            message: "PostgreSQL server programs (initdb, pg_ctl) were not found in \(searched); install the "
                + "`postgresql` package (apt-get install postgresql) or set DATABASE_URL to an existing server")
    }
}
