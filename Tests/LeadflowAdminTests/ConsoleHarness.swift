import Curl
import Foundation
import LeadflowSecrets
import Testing

/// A browser's part in the console's HTTP tests: the cookies it was given, a login, forms posted as forms.
extension AdminHarness {
    /// The `name=value` of each `Set-Cookie` of `reply`, by name.
    static func cookies(_ reply: Reply) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in reply.headers.values(for: "set-cookie") {
            let pair = header.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            cookies[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
        }
        return cookies
    }

    /// The whole `Set-Cookie` header of cookie `name`.
    static func setCookie(_ name: String, _ reply: Reply) -> String? {
        reply.headers.values(for: "set-cookie").first { $0.hasPrefix("\(name)=") }
    }

    /// A page as a browser holding `cookies` gets it.
    func page(_ path: String, cookies: [String: String] = [:], headers: [(String, String)] = []) async throws -> Reply {
        try await call(.get, path, headers: Self.cookieHeader(cookies) + headers)
    }

    /// A form posted as a browser holding `cookies` posts it.
    func post(_ path: String, form: [(String, String)], cookies: [String: String] = [:], headers: [(String, String)] = []) async throws -> Reply {
        let body = form.map { "\(Self.formEncoded($0.0))=\(Self.formEncoded($0.1))" }.joined(separator: "&")
        return try await call(
            .post, path, json: body, contentType: "application/x-www-form-urlencoded", headers: Self.cookieHeader(cookies) + headers)
    }

    /// Logs in with `token` as the login form does; the session cookie.
    func logIn(_ token: String) async throws -> [String: String] {
        let form = try await page("/console/login")
        let nonce = try #require(Self.cookies(form)["lf_login"])
        let reply = try await post("/console/login", form: [("csrf", nonce), ("token", token)], cookies: ["lf_login": nonce])
        #expect(reply.status == 303 && reply.headers["location"] == "/console/leads", "\(reply)")
        let session = try #require(Self.cookies(reply)["lf_session"], "\(reply.headers)")
        return ["lf_session": session]
    }

    /// The CSRF token of the forms of a page.
    static func csrf(_ reply: Reply) throws -> String {
        let marker = #"name="csrf" value=""#
        let start = try #require(reply.text.range(of: marker), "no CSRF field: \(reply.text)")
        return String(reply.text[start.upperBound...].prefix { $0 != "\"" })
    }

    private static func cookieHeader(_ cookies: [String: String]) -> [(String, String)] {
        cookies.isEmpty ? [] : [("Cookie", cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))]
    }

    static func formEncoded(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
