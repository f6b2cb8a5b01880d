/// The complete result of one statement, copied out of libpq so it can leave the connection's thread.
public struct PostgresRows: RandomAccessCollection, Sendable {
    /// Immutable and shared by every row, so handing out rows copies no values.
    final class Storage: Sendable {
        let columns: [PostgresColumn]
        let columnIndex: [String: Int]
        /// Row-major cell texts; `nil` is SQL NULL.
        let cells: [String?]
        let rowCount: Int

        init(columns: [PostgresColumn], cells: [String?], rowCount: Int) {
            self.columns = columns
            // The first column wins on duplicate names, as in most drivers.
            var index: [String: Int] = [:]
            for (offset, column) in columns.enumerated() where index[column.name] == nil {
                index[column.name] = offset
            }
            self.columnIndex = index
            self.cells = cells
            self.rowCount = rowCount
        }
    }

    let storage: Storage
    /// The command tag, such as `INSERT 0 3` or `SELECT 2`.
    public let commandTag: String
    /// Rows inserted, updated, deleted, selected, moved or copied, as libpq reports (0 when not applicable).
    public let affectedRows: Int

    init(storage: Storage, commandTag: String, affectedRows: Int) {
        self.storage = storage
        self.commandTag = commandTag
        self.affectedRows = affectedRows
    }

    public var columns: [PostgresColumn] { storage.columns }
    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.rowCount }

    public subscript(position: Int) -> PostgresRow {
        precondition(indices.contains(position), "row index \(position) out of range 0..<\(count)")
        return PostgresRow(storage: storage, row: position)
    }

    /// Decodes the first column of the first row, or returns `nil` when there are no rows.
    public func scalar<T: PostgresDecodable>(_ type: T.Type = T.self) throws(PostgresError) -> T? {
        guard let first else { return nil }
        return try first.decode(T.self, at: 0)
    }
}
