/// Blanks out what requests carry secretly (passwords, URL user info, query strings) before text reaches logs.
enum Redaction {
    /// `message` with `password` and the user info of `url` replaced by `<redacted>`.
    static func redact(_ message: String, url: String, password: String?) -> String {
        let secrets = [password, userInfoRange(in: url).map { String(url[$0]) }]
            .compactMap { $0 }
            .filter { !$0.isEmpty }
        return secrets.reduce(message) { $0.replacing($1, with: "<redacted>") }
    }

    /// The URL without user info, query or fragment, which is where URLs carry secrets (webhook tokens).
    static func redactedURL(_ url: String) -> String {
        var visible = url.prefix { $0 != "?" && $0 != "#" }
        if let userInfo = userInfoRange(in: visible) {
            // Drop the "@" that ends the user info too.
            visible.removeSubrange(userInfo.lowerBound...userInfo.upperBound)
        }
        return String(visible)
    }

    /// Where `user:password` sits in `scheme://user:password@host/…`, if anywhere.
    private static func userInfoRange<S: StringProtocol>(in url: S) -> Range<S.Index>? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return nil }
        return schemeEnd.upperBound..<at
    }
}
