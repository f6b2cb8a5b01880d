/// A URL as it may appear in logs and errors: a password in its user information and its query (where API
/// tokens travel, `?token=…`) are replaced, scheme, host, port and path are kept for diagnosis.
public struct RedactedURL: Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ url: String) {
        var text = Substring(url)
        var redacted = ""
        if let schemeEnd = text.firstRange(of: "://") {
            redacted += text[..<schemeEnd.upperBound]
            text = text[schemeEnd.upperBound...]
            let authorityEnd = text.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? text.endIndex
            let authority = text[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                let user = authority[..<at].prefix { $0 != ":" }
                redacted += user + (authority[..<at].contains(":") ? ":***" : "") + "@"
                redacted += authority[authority.index(after: at)...]
            } else {
                redacted += authority
            }
            text = text[authorityEnd...]
        }
        let queryStart = text.firstIndex(of: "?")
        let fragmentStart = text.firstIndex(of: "#")
        redacted += text[..<(queryStart ?? fragmentStart ?? text.endIndex)]
        if let queryStart, queryStart < (fragmentStart ?? text.endIndex) {
            redacted += "?<redacted>"
        }
        description = redacted
    }
}
