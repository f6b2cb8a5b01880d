import Foundation
import HTTPTypes
import Hummingbird
import LeadflowAdminAPI
import LeadflowDomain
import LeadflowSecrets
import LeadflowStore
import Logging
import NIOCore
import Postgres

// What every page shares: its headers, problems, redirects, forms and links.
extension Console {
    /// What every page of a session shows in its header.
    static func chrome(_ session: ConsoleSession) -> [String: Any] {
        [
            "session": [
                "tokenName": session.token.name, "role": session.token.role.rawValue, "csrf": session.csrf,
                "mayAudit": session.may(.listAudit),
            ] as [String: Any]
        ]
    }

    static func html(_ page: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: securityHeaders,
            body: .init(byteBuffer: ByteBuffer(string: ConsoleTemplates.render(page, context))))
    }

    /// Every page: HTML that is never cached, framed, sniffed as something else or given a script to run.
    static let securityHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-store",
        .contentSecurityPolicy:
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
    ]

    static func problemPage(_ problem: AdminProblem, _ session: ConsoleSession?) -> Response {
        var context: [String: Any] = ["title": problem.kind.title, "detail": problem.detail]
        if let session { context.merge(chrome(session)) { own, _ in own } }
        return html("problem", context, status: problem.kind.status)
    }

    /// The 403 of a session whose token lacks the role `operation` needs, worded as the API's.
    static func roleProblem(_ operation: AdminOperation, _ session: ConsoleSession) -> AdminProblem {
        AdminProblem(
            .forbidden,
            "\(operation.rawValue) needs the \(operation.requiredRole?.rawValue ?? "admin") role; token '\(session.token.name)' is \(session.token.role.rawValue)")
    }

    static func forgedForm(_ session: ConsoleSession?) -> Response {
        problemPage(
            AdminProblem(.forbidden, "the form's CSRF token is missing or wrong: reload the page and submit it again"), session)
    }

    /// A 403 for a form posted from another site, as the browser's `Sec-Fetch-Site` says (when it sends one).
    static func crossSite(_ request: Request) -> Response? {
        guard let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" else { return nil }
        return problemPage(AdminProblem(.forbidden, "a console form must be posted from the console (Sec-Fetch-Site: \(site))"), nil)
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// Whether the browser reached the console over TLS, as the proxy in front says; cookies are `Secure` then.
    /// Trusting the header can only make a cookie stricter.
    static func isSecure(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    static func expired(_ name: String, path: String, _ request: Request) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: path, secure: isSecure(request), httpOnly: true, sameSite: .strict)
    }

    /// The posted form, if its type is a form's and it reads; nil otherwise.
    static func form(of request: Request) async throws -> ConsoleForm? {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else { return nil }
        guard let body = try? await request.body.collect(upTo: maxFormBytes) else { return nil }
        return ConsoleForm(Substring(String(buffer: body)))
    }

    static func query(of request: Request) -> ConsoleForm? {
        ConsoleForm(Substring(request.uri.query ?? ""))
    }

    /// The page's query; a 400 when it does not decode.
    static func readQuery(of request: Request) throws -> ConsoleForm {
        guard let query = query(of: request) else { throw AdminProblem(.badRequest, "the page's query could not be read") }
        return query
    }

    static func label(_ criterion: Operations.SearchLeads.Input.Query.ByPayload) -> String {
        switch criterion {
        case .email: "Email"
        case .phone: "Phone"
        case .externalId: "External id"
        }
    }

    static func leadLink(org: String, externalID: String) -> String {
        "/console/lead?org=\(percentEncoded(org))&id=\(percentEncoded(externalID))"
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static func time(_ date: Date) -> String {
        let text = RFC3339Time.string(date)
        return text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }

    static func detail(of entry: Components.Schemas.TimelineEntry) -> String {
        var parts: [String] = []
        if let type = entry.actionType { parts.append("\(type.rawValue)\(entry.actionId.map { " #\($0)" } ?? "")") }
        if let attempt = entry.attempt { parts.append("attempt \(attempt)") }
        if let channel = entry.channel { parts.append(channel) }
        if let error = entry.error { parts.append(error) }
        if let reason = entry.reason { parts.append(reason) }
        if let due = entry.dueAt { parts.append("due \(time(due))") }
        if let id = entry.providerMessageId { parts.append("message \(id)") }
        return parts.joined(separator: " · ")
    }
}
