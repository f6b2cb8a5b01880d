import LeadflowDomain

/// Writes one JSON object on one line with keys in the order given, for log lines whose first keys (`time`,
/// `level`, `event`) should come first. Strings are escaped per RFC 8259: `"`, `\`, every control character,
/// and U+2028/U+2029; other text is written as UTF-8.
struct JSONObjectWriter {
    private var text = "{"
    private var empty = true

    /// A string member; left out when `value` is empty and `omitEmpty` is set.
    mutating func string(_ key: String, _ value: String, omitEmpty: Bool = false) {
        if omitEmpty, value.isEmpty { return }
        member(key, Self.quoted(value))
    }

    /// A number member (non-finite numbers, which JSON cannot hold, are written as null).
    mutating func number(_ key: String, _ value: Double) {
        member(key, Self.number(value))
    }

    mutating func integer(_ key: String, _ value: UInt64, omitZero: Bool = false) {
        if omitZero, value == 0 { return }
        member(key, String(value))
    }

    /// An object of strings, keys sorted; left out when empty.
    mutating func strings(_ key: String, _ values: [String: String]) {
        guard !values.isEmpty else { return }
        let members = values.sorted { $0.key < $1.key }.map { "\(Self.quoted($0.key)):\(Self.quoted($0.value))" }
        member(key, "{" + members.joined(separator: ",") + "}")
    }

    /// The object's text, with no line break.
    var line: String { text + "}" }

    private mutating func member(_ key: String, _ json: String) {
        text += (empty ? "" : ",") + Self.quoted(key) + ":" + json
        empty = false
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func quoted(_ value: String) -> String {
        JSONString.quoted(value)
    }
}
