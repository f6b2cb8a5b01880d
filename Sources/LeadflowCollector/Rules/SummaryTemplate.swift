/// Summary templates of rules: text with `{name}` placeholders for `value`, `threshold` (formatted in the
/// rule's unit), `rule`, `severity` and every label of the alert (`component`, `operation`, `org`,
/// `action_type`, `provider`, …). A placeholder with no value is left as written.
public enum SummaryTemplate {
    /// The first problem of `template`'s syntax, or nil: every `{` must open a `{name}` of letters, digits and
    /// `_`.
    public static func problem(in template: String) -> String? {
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else {
                return "unclosed `{` in the summary; placeholders are written {name}, e.g. {value}"
            }
            let name = after[..<close]
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                return "bad placeholder `{\(name)}` in the summary; placeholders are letters, digits and _, e.g. {value}"
            }
            rest = after[after.index(after: close)...]
        }
        return nil
    }

    /// `template` with each placeholder replaced by its value in `values`.
    public static func render(_ template: String, _ values: [String: String]) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            let name = String(after[..<close])
            output += values[name] ?? "{\(name)}"
            rest = after[after.index(after: close)...]
        }
        return output + rest
    }
}
