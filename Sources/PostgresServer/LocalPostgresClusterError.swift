/// Why a `LocalPostgresCluster` operation failed, with a message that says what to do about it.
public struct LocalPostgresClusterError: Error, Sendable, CustomStringConvertible {
    /// A stable classification of the failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// `initdb`/`pg_ctl` are not installed.
        public static let binariesNotFound = Code("binaries_not_found")
        /// Running as root, but there is no `postgres` user to run the server as.
        public static let serviceUserMissing = Code("service_user_missing")
        /// The folder cannot hold a cluster (not creatable, or its socket path is too long).
        public static let invalidDirectory = Code("invalid_directory")
        public static let initdbFailed = Code("initdb_failed")
        public static let startFailed = Code("start_failed")
        public static let stopFailed = Code("stop_failed")

        public var description: String { rawValue }
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "local PostgreSQL cluster \(code): \(message)" }
}
