import Foundation

/// The template syntax of action fields: text with `{{field}}` placeholders for the lead's values.
public enum PipelineTemplate {
    /// Something in a template that would not render as meant.
    public struct Problem: Sendable, Hashable {
        /// Where it starts, in Unicode scalars from the start of the template (libyaml counts columns the same way).
        public var offset: Int
        public var message: String
    }

    /// The lead fields a placeholder may name, besides `attributes.<key>`.
    public static let leadFields = ["email", "phone", "first_name", "last_name", "external_id"]

    /// What a user may write between `{{` and `}}`, for messages.
    static let knownVariables = (leadFields + ["attributes.<key>"]).joined(separator: ", ")

    /// A piece of a scanned template: literal text, or a placeholder with its name and offset.
    enum Piece {
        case text(Substring)
        case placeholder(name: String, offset: Int)
    }

    /// The placeholder names in `template`, in order, with surrounding spaces trimmed.
    public static func variables(in template: String) -> [String] {
        scan(template).pieces.variables.map(\.name)
    }

    /// Unbalanced braces, names that are not lead fields and placeholders in positions of `context` that no
    /// escaping makes safe, in order; empty when the template is fine.
    public static func problems(in template: String, context: TemplateContext) -> [Problem] {
        let (pieces, problems) = scan(template)
        let unsafe = zip(pieces.variables, positions(of: pieces, in: context)).compactMap { variable, position in
            guard case .unsafe(let message) = position else { return nil as Problem? }
            return Problem(offset: variable.offset, message: "\(message) (the field is \(context.name))")
        }
        let unknown = pieces.variables.compactMap { variable -> Problem? in
            let name = variable.name
            let message: String? =
                if leadFields.contains(name) {
                    nil
                } else if name.hasPrefix("attributes.") {
                    name == "attributes." || name.contains(where: \.isWhitespace)
                        ? "template variable \"\(name)\" needs an attribute key, e.g. attributes.company" : nil
                } else if name.isEmpty {
                    "empty placeholder \"{{}}\"; known variables: \(knownVariables)"
                } else {
                    "unknown template variable \"\(name)\"\(Suggestion.hint(for: name, in: leadFields)); "
                        + "known variables: \(knownVariables)"
                }
            return message.map { Problem(offset: variable.offset, message: $0) }
        }
        return (problems + unknown + unsafe).sorted { $0.offset < $1.offset }
    }

    /// `template` with every placeholder replaced by `x`, to check the shape of what it renders to (a URL).
    static func placeholdersFilled(_ template: String) -> String {
        scan(template).pieces.map { piece in
            switch piece {
            case .text(let text): String(text)
            case .placeholder: "x"
            }
        }.joined()
    }

    /// Splits `template` into text and placeholders; stray braces stay text and are reported as problems.
    /// Validation and rendering both read templates through this, so they cannot disagree on the syntax.
    static func scan(_ template: String) -> (pieces: [Piece], problems: [Problem]) {
        let scalars = template.unicodeScalars
        func offset(_ index: String.Index) -> Int { scalars.distance(from: scalars.startIndex, to: index) }
        var pieces: [Piece] = []
        var problems: [Problem] = []
        var rest = template[...]
        while !rest.isEmpty {
            let open = rest.range(of: "{{")
            let close = rest.range(of: "}}")
            if let close, open.map({ close.lowerBound < $0.lowerBound }) ?? true {
                problems.append(Problem(offset: offset(close.lowerBound), message: "\"}}\" without a matching \"{{\""))
                pieces.append(.text(rest[..<close.upperBound]))
                rest = rest[close.upperBound...]
                continue
            }
            guard let open else {
                pieces.append(.text(rest))
                break
            }
            let unclosed = Problem(offset: offset(open.lowerBound), message: "\"{{\" is never closed with \"}}\"")
            guard let end = rest[open.upperBound...].range(of: "}}") else {
                problems.append(unclosed)
                pieces.append(.text(rest))
                break
            }
            let inner = rest[open.upperBound..<end.lowerBound]
            if let nested = inner.range(of: "{{") {
                // `{{a {{b}}`: the first brace pair is the one left open; `{{b}}` is read on the next turn.
                problems.append(unclosed)
                pieces.append(.text(rest[..<nested.lowerBound]))
                rest = rest[nested.lowerBound...]
                continue
            }
            pieces.append(.text(rest[..<open.lowerBound]))
            pieces.append(
                .placeholder(name: inner.trimmingCharacters(in: .whitespaces), offset: offset(open.lowerBound)))
            rest = rest[end.upperBound...]
        }
        return (pieces, problems)
    }
}

extension [PipelineTemplate.Piece] {
    /// The placeholders, in order.
    var variables: [(name: String, offset: Int)] {
        compactMap { piece in
            guard case .placeholder(let name, let offset) = piece else { return nil }
            return (name, offset)
        }
    }
}
