import LeadflowDomain

/// The bounds openapi/admin.yaml sets that the generated code does not check (it decodes types, enums and
/// unknown fields): each failing value is a 400 naming its field.
enum RequestCheck {
    /// Most bytes of an organization id (as ingest takes them in subjects).
    static let organizationMaxBytes = 64

    /// A page's `limit` parameter: 1–1000, 50 when not given.
    static func pageLimit(_ limit: Int?) throws(AdminProblem) -> Int {
        try range(limit ?? 50, 1...1000, field: "limit")
    }

    /// A page's `cursor` parameter read by `parse`; a text that is no cursor is a 400.
    static func cursor<T>(_ text: String?, _ parse: (String) -> T?) throws(AdminProblem) -> T? {
        guard let text else { return nil }
        guard let cursor = parse(text) else {
            throw AdminProblem(.badRequest, "cursor is not a next_cursor of a previous page", field: "cursor")
        }
        return cursor
    }

    static func range<T: Comparable>(_ value: T, _ range: ClosedRange<T>, field: String) throws(AdminProblem) -> T {
        guard range.contains(value) else {
            throw AdminProblem(.badRequest, "\(field) must be \(range.lowerBound)…\(range.upperBound) (got \(value))", field: field)
        }
        return value
    }

    static func positive(_ value: Double, atMost maximum: Double, field: String) throws(AdminProblem) -> Double {
        guard value > 0, value <= maximum, value.isFinite else {
            throw AdminProblem(.badRequest, "\(field) must be above 0 and at most \(Int(maximum)) (got \(value))", field: field)
        }
        return value
    }

    /// Free text of `range` characters; NUL, which PostgreSQL text cannot hold, is refused.
    static func text(_ text: String, _ range: ClosedRange<Int>, field: String) throws(AdminProblem) -> String {
        guard !text.utf8.contains(0) else {
            throw AdminProblem(.badRequest, "\(field) must not contain NUL characters", field: field)
        }
        // JSON Schema's lengths count code points, not the grapheme clusters of String.count.
        let length = text.unicodeScalars.count
        guard range.contains(length) else {
            throw AdminProblem(
                .badRequest, "\(field) must be \(range.lowerBound)…\(range.upperBound) characters long (got \(length))",
                field: field)
        }
        return text
    }

    /// An organization id as the bus takes it: 1–64 bytes of printable ASCII other than `.`, `*` and `>`.
    static func organization(_ org: String, field: String) throws(AdminProblem) -> String {
        let bytes = org.utf8
        guard !bytes.isEmpty, bytes.count <= organizationMaxBytes,
            bytes.allSatisfy({ (33...126).contains($0) && $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "*") && $0 != UInt8(ascii: ">") })
        else {
            throw AdminProblem(
                .badRequest,
                "\(field) is not an organization id: 1–\(organizationMaxBytes) bytes of printable ASCII without '.', '*' or '>'",
                field: field)
        }
        return org
    }

    /// A token name: 1–64 letters, digits and `._:@-`, starting with a letter or digit.
    static func tokenName(_ name: String, field: String) throws(AdminProblem) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@-".utf8)
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), bytes.allSatisfy(allowed.contains), let first = bytes.first,
            first != UInt8(ascii: "."), first != UInt8(ascii: "_"), first != UInt8(ascii: ":"), first != UInt8(ascii: "@"),
            first != UInt8(ascii: "-")
        else {
            throw AdminProblem(
                .badRequest, "\(field) must be 1–64 letters, digits and ._:@- starting with a letter or digit", field: field)
        }
        return name
    }
}
