import ArgumentParser
import Foundation

/// `--database-url`, defaulting to `DATABASE_URL`: where the PostgreSQL store is.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "PostgreSQL URL, e.g. postgres://user:pass@host:5432/leadflow (default: $DATABASE_URL).",
            valueName: "url"))
    var url: String?

    /// The URL from the flag or the environment, or `nil` when neither is set.
    var resolved: String? {
        if let url, !url.isEmpty { return url }
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty { return url }
        return nil
    }

    func validate() throws {
        if let url, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            throw ValidationError("--database-url must start with postgres:// or postgresql://")
        }
    }
}
