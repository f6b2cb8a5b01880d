// Requests end up in logs and error reports; what they print must not carry credentials or payloads.

extension HTTPRequest: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        "\(method) \(redactedURL) (\(headers.count) headers, \(body.count)-byte body)"
    }

    public var debugDescription: String { description }

    /// The URL without user info, query or fragment (where URLs carry secrets), for logs and error messages.
    public var redactedURL: String { Redaction.redactedURL(url) }

    /// `message` with the credentials of this request blanked out, for errors that may reach logs.
    func redacting(_ message: String) -> String {
        Redaction.redact(message, url: url, password: basicAuth?.password)
    }
}

extension HTTPRequest.BasicAuth: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "BasicAuth(user: \(user), password: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["user": user, "password": "<redacted>"]) }
}
