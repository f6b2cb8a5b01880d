import LeadflowDomain
import Mustache

/// How the console's templates escape what they show: every `{{value}}` of a template that declares
/// `{{% CONTENT_TYPE: CONSOLE_HTML }}` (all of them; a test checks) goes through
/// ``HTMLText/escaped(_:)``, as email bodies do.
///
/// Not swift-mustache's own HTML escaping: it compares whole `Character`s, so a quote followed by a combining
/// mark (`"` U+0301, one grapheme cluster) is not escaped, and a lead named `"́ autofocus onfocus=…` would close
/// an attribute. A browser's tokenizer reads code points; ``HTMLText`` escapes code points.
struct ConsoleHTML: MustacheContentType {
    static let name = "CONSOLE_HTML"

    /// Registers the content type with swift-mustache (once; templates are parsed after it).
    static let registered: Void = MustacheContentTypes.register(ConsoleHTML(), named: name)

    func escapeText(_ text: String) -> String { HTMLText.escaped(text) }
}
