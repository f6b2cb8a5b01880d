/// A named statement that each connection prepares once, on its first use there, and again after a reconnect.
///
/// Declare statements as constants (`static let claimDue = PostgresStatement(name: "claim_due", sql: "…")`);
/// one name must always carry the same SQL.
public struct PostgresStatement: Hashable, Sendable {
    public let name: String
    public let sql: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}
