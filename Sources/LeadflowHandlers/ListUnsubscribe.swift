import Foundation
import LeadflowSecrets

/// The one-click unsubscribe fields (RFC 2369, RFC 8058) of every email the email drivers send, when
/// `unsubscribe.base_url` and `unsubscribe.key_file` are set: `List-Unsubscribe` with an https link to the
/// admin service's `/unsubscribe/{token}` — a token signed for the lead and the email channel — and, with
/// `unsubscribe.mailto`, a mailto carrying the same token; and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
public struct ListUnsubscribe: Sendable {
    /// Where the admin service's public endpoint is reached, e.g. `https://links.example.com` (a path is kept:
    /// `https://example.com/leadflow`); links are `<base URL>/unsubscribe/<token>`. RFC 8058 requires https;
    /// http is accepted for a loopback host only, for development and tests.
    public var baseURL: String
    public var keys: UnsubscribeKeys
    /// An address, e.g. `unsubscribe@example.com`, offered as `mailto:` beside the link, the token in the
    /// subject; nil: the link only.
    public var mailto: String?

    /// The path of the admin service's one-click operation before the token (openapi/admin.yaml).
    public static let path = "/unsubscribe/"
    /// Longest base URL: the field with a token must stay within SMTP's 998-byte lines.
    public static let maxBaseURLBytes = 400

    public init(baseURL: String, keys: UnsubscribeKeys, mailto: String? = nil) {
        self.baseURL = baseURL
        self.keys = keys
        self.mailto = mailto
    }

    public func validate() throws(HandlerConfigurationError) {
        let setting = "unsubscribe.base_url"
        guard !baseURL.isEmpty, baseURL.utf8.count <= Self.maxBaseURLBytes,
            baseURL.utf8.allSatisfy({ (33...126).contains($0) && !"<>\",".utf8.contains($0) }),
            let url = URLComponents(string: baseURL), let host = url.host, !host.isEmpty,
            url.query == nil, url.fragment == nil, url.user == nil, url.password == nil
        else {
            throw HandlerConfigurationError(
                setting: setting,
                "must be an https URL of at most \(Self.maxBaseURLBytes) characters without query, fragment or user, e.g. https://links.example.com")
        }
        let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased())
        guard url.scheme?.lowercased() == "https" || (url.scheme?.lowercased() == "http" && loopback) else {
            throw HandlerConfigurationError(
                setting: setting, "must be https (RFC 8058); http only with a loopback host, for development")
        }
        if let mailto {
            let parts = mailto.split(separator: "@", omittingEmptySubsequences: false)
            let plain = mailto.utf8.allSatisfy { (33...126).contains($0) && !"<>\",?&%;:()[]\\".utf8.contains($0) }
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), plain, mailto.utf8.count <= 254 else {
                throw HandlerConfigurationError(
                    setting: "unsubscribe.mailto", "must be a plain address such as unsubscribe@example.com")
            }
        }
    }

    /// The link that unsubscribes `token`'s lead from its channel.
    public func link(for token: UnsubscribeToken) -> String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return base + Self.path + token.signed(with: keys)
    }

    /// The header fields for an email to lead `leadID` of `org`, as the SMTP driver writes them; none for a
    /// lead without an id or an organization too long for a token, which no link could name.
    func fields(org: String, leadID: Int64) -> [String] {
        // The mailto folded onto a line of its own: the link alone may be 800 characters.
        headers(org: org, leadID: leadID, separator: ",\r\n ").map { "\($0.name): \($0.value)" }
    }

    /// The same fields as names and unfolded values, for a provider API's JSON `headers`.
    func headers(org: String, leadID: Int64, separator: String = ", ") -> [(name: String, value: String)] {
        guard leadID > 0, !org.isEmpty, org.utf8.count <= UnsubscribeToken.maxOrgBytes else { return [] }
        let token = UnsubscribeToken(org: org, leadID: leadID, channel: .email)
        var uris = ["<\(link(for: token))>"]
        if let mailto { uris.append("<mailto:\(mailto)?subject=unsubscribe%20\(token.signed(with: keys))>") }
        return [
            ("List-Unsubscribe", uris.joined(separator: separator)), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
    }
}
