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
    /// Validation and rendering both read templates through this, so they cannot disagree on the syntax. Braces
    /// are matched byte for byte (a `{` followed by a combining mark is still a brace), in one pass
    /// (``TemplateBraces``): a placeholder is the first `{{` with the first `}}` after it, unless another `{{`
    /// comes between them; a `}}` before any `{{` is stray.
    static func scan(_ template: String) -> (pieces: [Piece], problems: [Problem]) {
        var braces = TemplateBraces(template)
        let utf8 = template.utf8
        func text(_ from: Int, _ to: Int) -> Piece {
            .text(template[utf8.index(utf8.startIndex, offsetBy: from)..<utf8.index(utf8.startIndex, offsetBy: to)])
        }
        var pieces: [Piece] = []
        var problems: [Problem] = []
        var rest = 0
        while rest < braces.count {
            let open = braces.opening(from: rest)
            let close = braces.closing(from: rest)
            if let close, open.map({ close < $0 }) ?? true {
                let offset = braces.scalarOffset(of: close)
                problems.append(Problem(offset: offset, message: "\"}}\" without a matching \"{{\""))
                pieces.append(text(rest, close + 2))
                rest = close + 2
                continue
            }
            guard let open else {
                pieces.append(text(rest, braces.count))
                break
            }
            let offset = braces.scalarOffset(of: open)
            let unclosed = Problem(offset: offset, message: "\"{{\" is never closed with \"}}\"")
            guard let end = braces.closing(from: open + 2) else {
                problems.append(unclosed)
                pieces.append(text(rest, braces.count))
                break
            }
            if let nested = braces.opening(from: open + 2), nested < end {
                // `{{a {{b}}`: the first brace pair is the one left open; `{{b}}` is read on the next turn.
                problems.append(unclosed)
                pieces.append(text(rest, nested))
                rest = nested
                continue
            }
            pieces.append(text(rest, open))
            let inner = template[utf8.index(utf8.startIndex, offsetBy: open + 2)..<utf8.index(utf8.startIndex, offsetBy: end)]
            pieces.append(.placeholder(name: inner.trimmingCharacters(in: .whitespaces), offset: offset))
            rest = end + 2
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
