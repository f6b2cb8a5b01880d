// Requests end up in logs and error reports; what they print must not carry credentials or payloads.

extension HTTPRequest: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        "\(method) \(Self.redactedURL(url)) (\(headers.count) headers, \(body.count)-byte body)"
    }

    public var debugDescription: String { description }

    /// `message` with the credentials of this request blanked out, for errors that may reach logs.
    func redacting(_ message: String) -> String {
        let secrets = [basicAuth?.password, Self.userInfoRange(in: url).map { String(url[$0]) }]
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

extension HTTPRequest.BasicAuth: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "BasicAuth(user: \(user), password: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["user": user, "password": "<redacted>"]) }
}
