import Foundation

/// Where a rendered template ends up, which decides how each value placed into it is escaped
/// (docs/pipelines.md, "Where values land").
public enum TemplateContext: Sendable, Hashable, CaseIterable {
    /// A plain-text body (email `text`): values as they are, less control characters other than tab and
    /// line feed.
    case plainText
    /// One line: a subject, a recipient, an SMS body, a header value. Line breaks (also U+0085, U+2028,
    /// U+2029) and other control characters in values become spaces, so a value can add no line.
    case singleLine
    /// An HTML (or XML) body: values in text and in quoted attribute values are HTML-escaped, values inside
    /// URL attributes are percent-encoded; positions no escaping makes safe are validation errors.
    case html
    /// A JSON body: values are escaped as JSON string content and may only stand inside string values.
    case json
    /// A URL (a webhook's `url`): values are percent-encoded and may only stand in the path, query or fragment.
    case url
    /// An `application/x-www-form-urlencoded` body: values are percent-encoded.
    case form

    /// The context of a webhook body sent with `contentType` (the action's `Content-Type` header; absent means
    /// `application/json`, the driver's default).
    public static func webhookBody(contentType: String?) -> TemplateContext {
        let mediaType = (contentType ?? "application/json").split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        // `application/json`, `…+json`, and the unregistered `text/json`, `application/x-json`, `…/x-ndjson`.
        if mediaType.contains("json") { return .json }
        if mediaType == "application/x-www-form-urlencoded" { return .form }
        if mediaType == "text/html" || mediaType.hasSuffix("/xml") || mediaType.hasSuffix("+xml") { return .html }
        return .plainText
    }

    /// How the context is named in messages.
    var name: String {
        switch self {
        case .plainText: "plain text"
        case .singleLine: "a single line"
        case .html: "HTML"
        case .json: "JSON"
        case .url: "a URL"
        case .form: "a form body"
        }
    }
}
