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

// Logging in and out: the login form, sessions, logging out.
extension Console {
    func loginPage(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        if error == nil, try await session(of: request) != nil { return Self.redirect(to: "/console/leads") }
        let nonce = AdminTokenSecret.generate(prefix: "").revealed
        var context: [String: Any] = ["title": "Log in", "csrf": nonce, "sessionHours": Int(ConsoleSession.lifetime / 3600)]
        context["error"] = error
        var response = Self.html("login", context, status: status)
        response.setCookie(
            Cookie(
                name: ConsoleSession.loginCookie, value: nonce, maxAge: 3600, path: "/console/login",
                secure: Self.isSecure(request), httpOnly: true, sameSite: .strict))
        return response
    }

    func logIn(_ request: Request, from address: String) async throws -> Response {
        if let refusal = Self.crossSite(request) { return refusal }
        guard let form = try await Self.form(of: request) else {
            return try await loginPage(request, error: "The form could not be read; try again.", status: .badRequest)
        }
        guard let nonce = request.cookies[ConsoleSession.loginCookie]?.value,
            ConsoleSession.equalInConstantTime(form["csrf"] ?? "", nonce)
        else {
            return try await loginPage(request, error: "The login form expired or came from elsewhere; try again.", status: .forbidden)
        }
        guard let presented = form.text("token") else {
            return try await loginPage(request, error: "Enter an admin token.", status: .badRequest)
        }
        switch try await tokens.authenticate(Secret(presented), from: address) {
        case .refused(let problem):
            var response = try await loginPage(request, error: problem.detail, status: problem.kind.status)
            if let seconds = problem.retryAfterSeconds { response.headers[.retryAfter] = "\(seconds)" }
            return response
        case .admitted(let token):
            let secret = AdminTokenSecret.generate(prefix: ConsoleSession.prefix)
            let now = Date()
            let expiresAt = now.addingTimeInterval(ConsoleSession.lifetime)
            try await database.withTransaction { connection in
                try ConsoleSessions.open(
                    hash: AdminTokenSecret.hash(secret), tokenID: token.id, expiresAt: expiresAt, now: now, on: connection)
            }
            logger.info("console login", metadata: ["token.name": "\(token.name)", "client.address": "\(address)"])
            var response = Self.redirect(to: "/console/leads")
            response.setCookie(
                Cookie(
                    name: ConsoleSession.cookie, value: secret.revealed, maxAge: Int(ConsoleSession.lifetime),
                    path: "/console", secure: Self.isSecure(request), httpOnly: true, sameSite: .strict))
            response.setCookie(Self.expired(ConsoleSession.loginCookie, path: "/console/login", request))
            return response
        }
    }

    func logOut(_ request: Request) async throws -> Response {
        if let refusal = Self.crossSite(request) { return refusal }
        guard let session = try await session(of: request) else { return Self.redirect(to: "/console/login") }
        guard let form = try await Self.form(of: request), session.accepts(csrf: form["csrf"]) else {
            return Self.forgedForm(session)
        }
        _ = try await database.withTransaction { connection in
            try ConsoleSessions.close(hash: AdminTokenSecret.hash(session.secret), on: connection)
        }
        var response = Self.redirect(to: "/console/login")
        response.setCookie(Self.expired(ConsoleSession.cookie, path: "/console", request))
        return response
    }

    /// The session the request's cookie names, if it is live and its token still lets requests in.
    func session(of request: Request) async throws -> ConsoleSession? {
        guard let value = request.cookies[ConsoleSession.cookie]?.value,
            AdminTokenSecret.isWellFormed(value, prefix: ConsoleSession.prefix)
        else { return nil }
        let secret = Secret(value)
        let now = Date()
        let found = try await database.withTransaction { connection in
            let found = try ConsoleSessions.find(hash: AdminTokenSecret.hash(secret), at: now, on: connection)
            // The token is in use, as the API notes for a bearer token (at most once a minute).
            if let token = found?.token, token.isUsable(at: now) { try AdminTokens.noteUse(of: token, at: now, on: connection) }
            return found
        }
        guard let found, TokenAuthenticator.unusable(found.token, at: now) == nil else { return nil }
        return ConsoleSession(token: found.token, secret: secret, expiresAt: found.expiresAt)
    }
}
