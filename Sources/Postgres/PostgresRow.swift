/// One row of a `PostgresRows` result, decoded column by column into Swift types.
public struct PostgresRow: Sendable {
    let storage: PostgresRows.Storage
    let row: Int

    public var columns: [PostgresColumn] { storage.columns }

    /// Decodes the column at `index` (0-based).
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws(PostgresError) -> T {
        guard storage.columns.indices.contains(index) else {
            throw PostgresError(
                kind: .decoding,
                message: "column index \(index) is out of range; the result has \(storage.columns.count) columns")
        }
        let column = storage.columns[index]
        do {
            if let text = storage.cells[row * storage.columns.count + index] {
                return try T(postgresText: text, type: column.dataType)
            }
            return try T.postgresNull()
        } catch {
            throw PostgresError(
                kind: .decoding,
                message: "cannot decode column \(index) '\(column.name)' of type \(column.dataType) as \(T.self): \(error)")
        }
    }

    /// Decodes the column named `name`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column name: String) throws(PostgresError) -> T {
        guard let index = storage.columnIndex[name] else {
            let known = storage.columns.map(\.name).joined(separator: ", ")
            throw PostgresError(kind: .decoding, message: "unknown column '\(name)'; the result has: \(known)")
        }
        return try decode(T.self, at: index)
    }

    /// Decodes the leading columns as a tuple, as in `row.decode((Int, String?).self)`.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws(PostgresError) -> (repeat each T) {
        var index = 0
        func next<U: PostgresDecodable>(_: U.Type) throws(PostgresError) -> U {
            defer { index += 1 }
            return try decode(U.self, at: index)
        }
        return (repeat try next((each T).self))
    }

    /// Whether the column at `index` is SQL NULL.
    public func isNull(at index: Int) -> Bool {
        storage.cells[row * storage.columns.count + index] == nil
    }
}
