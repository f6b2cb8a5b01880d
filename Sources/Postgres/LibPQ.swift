import CLibPQ

/// Facts about the linked libpq that the wrapper looks up once.
enum LibPQ {
    /// The connection keywords this libpq accepts, so a URL with a typo fails validation with a clear message
    /// rather than at connect time.
    static let connectionKeywords: Set<String> = {
        guard let defaults = PQconndefaults() else { return [] }
        defer { PQconninfoFree(defaults) }
        var keywords: Set<String> = []
        var option = defaults
        while let keyword = option.pointee.keyword {
            keywords.insert(String(cString: keyword))
            option += 1
        }
        return keywords
    }()

    static func isConnectionKeyword(_ key: String) -> Bool {
        connectionKeywords.isEmpty || connectionKeywords.contains(key)
    }

    /// `PQresultErrorField` codes; the `PG_DIAG_*` macros are character literals Swift does not import.
    enum DiagnosticField: Int32 {
        case severity = 0x56  // 'V', the non-localized severity
        case sqlState = 0x43  // 'C'
        case messagePrimary = 0x4D  // 'M'
        case messageDetail = 0x44  // 'D'
        case messageHint = 0x48  // 'H'
        case schemaName = 0x73  // 's'
        case tableName = 0x74  // 't'
        case columnName = 0x63  // 'c'
        case constraintName = 0x6E  // 'n'
    }
}
