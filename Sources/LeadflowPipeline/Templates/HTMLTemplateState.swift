/// Where an HTML body template is, by a small tokenizer after the HTML standard's states: in text, in a tag,
/// in an attribute value (quoted or not), in a comment, or in the raw text of `<script>` and `<style>`.
/// Placeholders are safe in text, comments and quoted attribute values (HTML-escaped) and in URL attributes
/// after the URL's start (percent-encoded); everywhere else no escaping can keep a value from being code.
struct HTMLTemplateState: TemplateSyntaxState {
    private enum Place: Equatable {
        case text
        case comment
        /// The content of `<script>` or `<style>`, until its end tag.
        case rawText(tag: String)
        /// After `<` or `</`: the tag's name so far.
        case tagName(String, closing: Bool)
        case beforeAttribute(tag: String)
        case attributeName(String, tag: String)
        case afterAttributeName(String, tag: String)
        case beforeValue(attribute: String, tag: String)
        /// `empty` until the value has its first character: a URL's scheme is chosen there.
        case quotedValue(attribute: String, tag: String, quote: Unicode.Scalar, empty: Bool)
        case unquotedValue(attribute: String, tag: String)
    }

    private var place = Place.text

    /// Attributes whose value is a URL (WHATWG HTML and SVG).
    static let urlAttributes: Set<String> = [
        "href", "src", "srcset", "action", "formaction", "cite", "background", "poster", "data", "codebase",
        "longdesc", "usemap", "manifest", "icon", "ping", "xlink:href", "lowsrc", "dynsrc",
    ]

    /// Attributes whose value the browser parses again: `srcdoc` as a whole document, SVG animation values as
    /// the animated attribute (an `href`), `<meta content>` as a refresh target.
    static let reparsedAttributes: Set<String> = ["srcdoc", "values", "to", "from", "by", "content"]

    mutating func read(_ text: Substring) {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func ahead(_ word: String) -> Bool {
            let expected = Array(word.lowercased().unicodeScalars)
            guard index + expected.count <= scalars.count else { return false }
            return (0..<expected.count).allSatisfy { Self.lowercased(scalars[index + $0]) == expected[$0] }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch place {
            case .text:
                if scalar == "<" {
                    if ahead("!--") {
                        place = .comment
                        index += 3
                        // `<!-->` and `<!--->` are whole (empty) comments in the HTML standard.
                        if ahead(">") {
                            place = .text
                            index += 1
                        } else if ahead("->") {
                            place = .text
                            index += 2
                        }
                    } else if ahead("/") {
                        place = .tagName("", closing: true)
                        index += 1
                    } else if index < scalars.count, Self.isLetter(scalars[index]) || scalars[index] == "!" {
                        place = .tagName("", closing: false)
                    }
                }
            case .comment:
                if scalar == "-" && ahead("->") {
                    place = .text
                    index += 2
                } else if scalar == "-" && ahead("-!>") {
                    place = .text
                    index += 3
                }
            case .rawText(let tag):
                // `</script` ends the raw text only when the name ends there (`</scripts>` does not).
                let after = index + 1 + tag.unicodeScalars.count
                if scalar == "<" && ahead("/" + tag)
                    && (after >= scalars.count || Self.isSpace(scalars[after]) || scalars[after] == "/" || scalars[after] == ">")
                {
                    place = .tagName("", closing: true)
                    index += 1
                }
            case .tagName(let name, let closing):
                if Self.isSpace(scalar) || scalar == "/" {
                    place = .beforeAttribute(tag: closing ? "" : name)
                } else if scalar == ">" {
                    endTag(closing ? "" : name)
                } else {
                    place = .tagName(name + String(Self.lowercased(scalar)), closing: closing)
                }
            case .beforeAttribute(let tag):
                if scalar == ">" {
                    endTag(tag)
                } else if !Self.isSpace(scalar) && scalar != "/" {
                    place = .attributeName(String(Self.lowercased(scalar)), tag: tag)
                }
            case .attributeName(let name, let tag):
                if scalar == "=" {
                    place = .beforeValue(attribute: name, tag: tag)
                } else if Self.isSpace(scalar) || scalar == "/" {
                    place = .afterAttributeName(name, tag: tag)
                } else if scalar == ">" {
                    endTag(tag)
                } else {
                    place = .attributeName(name + String(Self.lowercased(scalar)), tag: tag)
                }
            case .afterAttributeName(let name, let tag):
                if scalar == "=" {
                    place = .beforeValue(attribute: name, tag: tag)
                } else if scalar == ">" {
                    endTag(tag)
                } else if !Self.isSpace(scalar) && scalar != "/" {
                    place = .attributeName(String(Self.lowercased(scalar)), tag: tag)
                }
            case .beforeValue(let attribute, let tag):
                if scalar == "\"" || scalar == "'" {
                    place = .quotedValue(attribute: attribute, tag: tag, quote: scalar, empty: true)
                } else if scalar == ">" {
                    endTag(tag)
                } else if !Self.isSpace(scalar) {
                    place = .unquotedValue(attribute: attribute, tag: tag)
                }
            case .quotedValue(let attribute, let tag, let quote, let empty):
                if scalar == quote {
                    place = .beforeAttribute(tag: tag)
                } else if empty && !Self.isSpace(scalar) {
                    place = .quotedValue(attribute: attribute, tag: tag, quote: quote, empty: false)
                }
            case .unquotedValue(_, let tag):
                if Self.isSpace(scalar) {
                    place = .beforeAttribute(tag: tag)
                } else if scalar == ">" {
                    endTag(tag)
                }
            }
        }
    }

    mutating func readValue() {
        if case .quotedValue(let attribute, let tag, let quote, true) = place {
            place = .quotedValue(attribute: attribute, tag: tag, quote: quote, empty: false)
        }
    }

    var position: PlaceholderPosition {
        switch place {
        case .text, .comment:
            return .safe(.html)
        case .rawText(let tag):
            return .unsafe("a placeholder inside <\(tag)> would be \(tag == "script" ? "JavaScript" : "CSS"), which HTML escaping does not make safe")
        case .tagName, .beforeAttribute, .attributeName, .afterAttributeName:
            return .unsafe("a placeholder inside a tag could add attributes; use it in text or in a quoted attribute value")
        case .beforeValue(let attribute, _), .unquotedValue(let attribute, _):
            return .unsafe("a placeholder in the unquoted value of `\(attribute)` could add attributes; quote the value")
        case .quotedValue(let attribute, _, _, let empty):
            if attribute.hasPrefix("on") || attribute == "style" {
                return .unsafe(
                    "a placeholder in `\(attribute)` would be \(attribute == "style" ? "CSS" : "JavaScript"), which HTML escaping does not make safe")
            }
            if Self.reparsedAttributes.contains(attribute) {
                return .unsafe(
                    "a placeholder in `\(attribute)` is read again as a document, a URL or a refresh target, which HTML escaping does not make safe")
            }
            guard Self.urlAttributes.contains(attribute) else { return .safe(.html) }
            return empty
                ? .unsafe(
                    "a placeholder at the start of the URL in `\(attribute)` could choose its scheme (javascript:); "
                        + "begin the URL in the template, e.g. https://example.com/{{…}}")
                : .safe(.urlPart)
        }
    }

    private mutating func endTag(_ tag: String) {
        place = tag == "script" || tag == "style" ? .rawText(tag: tag) : .text
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}"
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
    }
}
