import Foundation
import HTTPTypes
import LeadflowDomain
import LeadflowSecrets
import LeadflowStore
import Logging
import OpenAPIRuntime
import Postgres

/// Who may call what: finds the request's operation in ``AdminOperation``, refuses an address that sent too
/// many bad tokens (429), authenticates the bearer token by its hash (401), checks the role (403), and runs
/// the operation with the token as ``AdminPrincipal/current``. Organization scope is the handlers' part (404).
/// Logs one line per request: operation, status, token name, client address — never the token.
final class AccessMiddleware: ServerMiddleware, Sendable {
    let tokens: TokenAuthenticator
    let logger: Logger

    init(tokens: TokenAuthenticator, logger: Logger) {
        self.tokens = tokens
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
        if let problem = tokens.throttled(address) { return .refused(problem) }
        guard let header = request.headerFields[.authorization] else {
            return .refused(AdminProblem(.unauthorized, "\(operation.rawValue) needs a bearer token: Authorization: Bearer lfa_…"))
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return .refused(tokens.badToken(from: address, "the Authorization header must be \"Bearer <token>\""))
        }
        let presented = Secret(String(parts[1]).trimmingCharacters(in: .whitespaces))
        switch try await tokens.authenticate(presented, from: address) {
        case .refused(let problem):
            return .refused(problem)
        case .admitted(let token):
            guard token.role.allows(required) else {
                return .refused(
                    AdminProblem(
                        .forbidden,
                        "\(operation.rawValue) needs the \(required.rawValue) role; token '\(token.name)' is \(token.role.rawValue)"))
            }
            return .admitted(AdminPrincipal(token: token))
        }
    }
}
