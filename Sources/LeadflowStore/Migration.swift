/// One versioned step of the database schema: constant SQL applied once, in its own transaction.
public struct Migration: Hashable, Sendable {
    /// Strictly increasing across `Migration.all`; recorded in `schema_migrations` once applied.
    public let version: Int
    public let name: String
    /// One or more statements; they run in a transaction, so `CREATE INDEX CONCURRENTLY` cannot appear here.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// A fingerprint of `sql` (64-bit FNV-1a), stored on apply so an edited migration is noticed later.
    public var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
