import Foundation

/// The template syntax of action fields: text with `{{field}}` placeholders for the lead's values.
public enum PipelineTemplate {
    /// The lead fields a placeholder may name, besides `attributes.<key>`.
    public static let leadFields = ["email", "phone", "first_name", "last_name", "external_id"]

    /// What a user may write between `{{` and `}}`, for messages.
    static let knownVariables = (leadFields + ["attributes.<key>"]).joined(separator: ", ")

    /// The placeholder names in `template`, in order, with surrounding spaces trimmed.
    public static func variables(in template: String) -> [String] {
        scan(template).variables
    }

    /// Why `template` would not render as meant: unbalanced braces or names that are not lead fields.
    /// Empty when it is fine.
    public static func problems(in template: String) -> [String] {
        let (variables, problems) = scan(template)
        return problems
            + variables.compactMap { name in
                if leadFields.contains(name) { return nil }
                if name.hasPrefix("attributes.") {
                    let key = name.dropFirst("attributes.".count)
                    return key.isEmpty || key.contains(where: \.isWhitespace)
                        ? "template variable \"\(name)\" needs an attribute key, e.g. attributes.company" : nil
                }
                if name.isEmpty { return "empty placeholder \"{{}}\"; known variables: \(knownVariables)" }
                return "unknown template variable \"\(name)\"\(Suggestion.hint(for: name, in: leadFields)); "
                    + "known variables: \(knownVariables)"
            }
    }

    private static func scan(_ template: String) -> (variables: [String], problems: [String]) {
        var variables: [String] = []
        var problems: [String] = []
        var rest = template[...]
        while !rest.isEmpty {
            let open = rest.range(of: "{{")
            let close = rest.range(of: "}}")
            if let close, open.map({ close.lowerBound < $0.lowerBound }) ?? true {
                problems.append("\"}}\" without a matching \"{{\"")
                rest = rest[close.upperBound...]
                continue
            }
            guard let open else { break }
            guard let end = rest[open.upperBound...].range(of: "}}") else {
                problems.append("\"{{\" is never closed with \"}}\"")
                break
            }
            let inner = rest[open.upperBound..<end.lowerBound]
            if inner.contains("{{") {
                problems.append("\"{{\" is never closed with \"}}\"")
            } else {
                variables.append(inner.trimmingCharacters(in: .whitespaces))
            }
            rest = rest[end.upperBound...]
        }
        return (variables, problems)
    }
}
