import Foundation
import HTTPTypes
import LeadflowDomain
import LeadflowSecrets
import LeadflowStore
import Logging
import OpenAPIRuntime
import Postgres
import Synchronization

/// Who may call what: finds the request's operation in ``AdminOperation``, refuses an address that sent too
/// many bad tokens (429), authenticates the bearer token by its hash (401), checks the role (403), and runs
/// the operation with the token as ``AdminPrincipal/current``. Organization scope is the handlers' part (404).
/// Logs one line per request: operation, status, token name, client address — never the token.
final class AccessMiddleware: ServerMiddleware, Sendable {
    let database: PostgresClient
    let limiter: Mutex<BadTokenLimiter>
    let logger: Logger

    init(database: PostgresClient, limiter: BadTokenLimiter, logger: Logger) {
        self.database = database
        self.limiter = Mutex(limiter)
        self.logger = logger
    }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let operation = AdminOperation(rawValue: operationID) else {
            // Fail closed: an operation the table does not know has no role, so nobody may call it.
            logger.error("operation missing from AdminOperation; refused", metadata: ["operation": "\(operationID)"])
            return AdminProblem(.forbidden, "operation \(operationID) is not open to any token").parts
        }
        guard let required = operation.requiredRole else { return try await next(request, body, metadata) }
        let address = ClientAddress.current ?? "unknown"
        let start = ContinuousClock.now
        var log = logger
        log[metadataKey: "operation"] = "\(operationID)"
        log[metadataKey: "client.address"] = "\(address)"
        let (response, responseBody): (HTTPResponse, HTTPBody?)
        do {
            switch try await authenticate(request, from: address, requiring: required, operation: operation) {
            case .refused(let problem):
                (response, responseBody) = problem.parts
            case .admitted(let principal):
                log[metadataKey: "token.name"] = "\(principal.token.name)"
                (response, responseBody) = try await AdminPrincipal.$current.withValue(principal) {
                    try await next(request, body, metadata)
                }
            }
        } catch {
            log.error("authentication failed", metadata: ["error": "\(error)"])
            (response, responseBody) = AdminProblem(.internalError, "the token could not be checked; the service's log has the cause").parts
        }
        log.info(
            "request",
            metadata: [
                "http.method": "\(request.method.rawValue)", "http.status": "\(response.status.code)",
                "duration_ms": "\((ContinuousClock.now - start).seconds * 1000)",
            ])
        return (response, responseBody)
    }

    private enum Outcome {
        case admitted(AdminPrincipal)
        case refused(AdminProblem)
    }

    private func authenticate(
        _ request: HTTPRequest, from address: String, requiring required: AdminRole, operation: AdminOperation
    ) async throws -> Outcome {
        if case .refuse(let seconds) = limiter.withLock({ $0.decision(for: address, at: .now) }) {
            return .refused(
                AdminProblem(
                    .tooManyRequests,
                    "too many requests with bad tokens from \(address); try again in \(seconds) s", retryAfterSeconds: seconds))
        }
        guard let header = request.headerFields[.authorization] else {
            return .refused(AdminProblem(.unauthorized, "\(operation.rawValue) needs a bearer token: Authorization: Bearer lfa_…"))
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return badToken(from: address, "the Authorization header must be \"Bearer <token>\"")
        }
        let presented = Secret(String(parts[1]).trimmingCharacters(in: .whitespaces))
        guard AdminTokenSecret.isWellFormed(presented.revealed) else {
            return badToken(from: address, "not an admin token: tokens are lfa_ and 43 base64url characters")
        }
        let hash = AdminTokenSecret.hash(presented)
        let now = Date()
        let found = try await database.withTransaction { connection -> AdminToken? in
            guard let token = try AdminTokens.find(hash: hash, on: connection) else { return nil }
            if token.isUsable(at: now) { try AdminTokens.noteUse(of: token, at: now, on: connection) }
            return token
        }
        guard let token = found else { return badToken(from: address, "unknown token") }
        if let revoked = token.revokedAt {
            return badToken(from: address, "token '\(token.name)' was revoked at \(RFC3339Time.string(revoked))")
        }
        if let expires = token.expiresAt, expires <= now {
            return badToken(from: address, "token '\(token.name)' expired at \(RFC3339Time.string(expires))")
        }
        guard token.role.allows(required) else {
            return .refused(
                AdminProblem(
                    .forbidden,
                    "\(operation.rawValue) needs the \(required.rawValue) role; token '\(token.name)' is \(token.role.rawValue)"))
        }
        return .admitted(AdminPrincipal(token: token))
    }

    /// Counts a bad token against `address` and refuses the request.
    private func badToken(from address: String, _ detail: String) -> Outcome {
        limiter.withLock { $0.recordBadToken(from: address, at: .now) }
        logger.notice("bad token", metadata: ["client.address": "\(address)", "reason": "\(detail)"])
        return .refused(AdminProblem(.unauthorized, detail))
    }
}
