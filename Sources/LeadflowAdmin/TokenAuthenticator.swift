import Foundation
import LeadflowDomain
import LeadflowSecrets
import LeadflowStore
import Logging
import Postgres
import Synchronization

/// Checks a presented admin token, for the API's bearer header and the console's login alike: refuses an
/// address that sent too many bad tokens (429), then finds the token by its hash and refuses an unknown,
/// revoked or expired one (401, counted against the address). The role is the caller's to check.
final class TokenAuthenticator: Sendable {
    let database: PostgresClient
    let limiter: Mutex<BadTokenLimiter>
    let logger: Logger

    init(database: PostgresClient, limiter: BadTokenLimiter, logger: Logger) {
        self.database = database
        self.limiter = Mutex(limiter)
        self.logger = logger
    }

    enum Outcome {
        case admitted(AdminToken)
        case refused(AdminProblem)
    }

    /// The 429 for `address` while it is refused for bad tokens; nil when it may try.
    func throttled(_ address: String) -> AdminProblem? {
        guard case .refuse(let seconds) = limiter.withLock({ $0.decision(for: address, at: .now) }) else { return nil }
        return AdminProblem(
            .tooManyRequests, "too many requests with bad tokens from \(address); try again in \(seconds) s",
            retryAfterSeconds: seconds)
    }

    /// The token whose secret `presented` is, if it lets requests in now (its use noted), or why not.
    func authenticate(_ presented: Secret, from address: String) async throws -> Outcome {
        if let problem = throttled(address) { return .refused(problem) }
        guard AdminTokenSecret.isWellFormed(presented.revealed) else {
            return .refused(badToken(from: address, "not an admin token: tokens are lfa_ and 43 base64url characters"))
        }
        let hash = AdminTokenSecret.hash(presented)
        let now = Date()
        let found = try await database.withTransaction { connection -> AdminToken? in
            guard let token = try AdminTokens.find(hash: hash, on: connection) else { return nil }
            if token.isUsable(at: now) { try AdminTokens.noteUse(of: token, at: now, on: connection) }
            return token
        }
        guard let token = found else { return .refused(badToken(from: address, "unknown token")) }
        if let refusal = Self.unusable(token, at: now) { return .refused(badToken(from: address, refusal)) }
        return .admitted(token)
    }

    /// Why `token` lets nothing in at `now` (revoked, expired); nil when it does.
    static func unusable(_ token: AdminToken, at now: Date) -> String? {
        if let revoked = token.revokedAt { return "token '\(token.name)' was revoked at \(RFC3339Time.string(revoked))" }
        if let expires = token.expiresAt, expires <= now { return "token '\(token.name)' expired at \(RFC3339Time.string(expires))" }
        return nil
    }

    /// Counts a bad token against `address`; the 401 to answer with.
    func badToken(from address: String, _ detail: String) -> AdminProblem {
        limiter.withLock { $0.recordBadToken(from: address, at: .now) }
        logger.notice("bad token", metadata: ["client.address": "\(address)", "reason": "\(detail)"])
        return AdminProblem(.unauthorized, detail)
    }
}
