/// Rows of text in aligned columns for a terminal: a header line, then one line per row; a cell wider than
/// its column's limit is cut with `…`, and line breaks in cells become spaces so each row stays one line.
struct TextTable {
    struct Column {
        let title: String
        let maxWidth: Int

        init(_ title: String, maxWidth: Int = 40) {
            self.title = title
            self.maxWidth = maxWidth
        }
    }

    let columns: [Column]
    private var rows: [[String]] = []

    init(_ columns: [Column]) { self.columns = columns }

    mutating func append(_ cells: [String]) {
        precondition(cells.count == columns.count, "a row has one cell per column")
        rows.append(zip(cells, columns).map { cell, column in Self.fit(cell, column.maxWidth) })
    }

    func rendered() -> String {
        let widths = columns.indices.map { index in
            rows.reduce(columns[index].title.count) { max($0, $1[index].count) }
        }
        return ([columns.map(\.title)] + rows).map { cells in
            zip(cells, widths).enumerated().map { index, pair in
                let (cell, width) = pair
                return index == cells.count - 1 ? cell : cell + String(repeating: " ", count: width - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    private static func fit(_ text: String, _ width: Int) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count <= width ? line : line.prefix(width - 1) + "…"
    }
}
