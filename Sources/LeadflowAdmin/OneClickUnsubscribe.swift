import LeadflowProto
import LeadflowSecrets
import LeadflowStore
import Logging
import Postgres
import Synchronization

/// The public side of one-click unsubscribe (RFC 8058): verifies a link's token — answering 429 to a client
/// address that sent too many bad ones — and records the opt-out by the store path a
/// `lead.unsubscribe` takes, in one transaction (docs/decisions.md, "One-click unsubscribe").
final class OneClickUnsubscribe: Sendable {
    let keys: UnsubscribeKeys?
    let limiter: Mutex<BadTokenLimiter>
    let defaultMaxAttempts: Int
    let keepsHistory: Bool
    let logger: Logger

    init(configuration: AdminConfiguration, logger: Logger) {
        keys = configuration.unsubscribeKeys
        limiter = Mutex(BadTokenLimiter(limit: configuration.badTokenLimit, window: configuration.badTokenWindow))
        defaultMaxAttempts = configuration.defaultMaxAttempts
        keepsHistory = configuration.keepsHistory
        self.logger = logger
    }

    /// The token `text` names: 404 when this service verifies none; 403 for a text no key signed (altered,
    /// forged, malformed) — or 429 once the client address has sent `admin.bad_token_limit` of them within the
    /// window. A token that verifies is never refused: behind a proxy every client shares one address, and
    /// a stream of garbage from anyone must not block real unsubscribes (forging is not the risk it guards
    /// against: no one guesses an HMAC-SHA256).
    func verify(_ text: String) throws(AdminProblem) -> UnsubscribeToken {
        guard let keys else {
            throw AdminProblem(.notFound, "one-click unsubscribe is not configured on this service (unsubscribe.key_file)")
        }
        let token: UnsubscribeToken
        do {
            token = try UnsubscribeToken.verified(text, with: keys)
        } catch {
            throw refusal(error)
        }
        return token
    }

    /// Counts a bad token against the client address and says how to refuse it.
    private func refusal(_ error: UnsubscribeTokenError) -> AdminProblem {
        let address = ClientAddress.current ?? "unknown"
        let decision = limiter.withLock { limiter in
            defer { limiter.recordBadToken(from: address, at: .now) }
            return limiter.decision(for: address, at: .now)
        }
        logger.notice(
            "bad unsubscribe token", metadata: ["client.address": "\(address)", "reason": "\(error.reason.rawValue)"])
        if case .refuse(let seconds) = decision {
            return AdminProblem(
                .tooManyRequests, "too many bad unsubscribe tokens from \(address); try again in \(seconds) s",
                retryAfterSeconds: seconds)
        }
        // 403 for every reason, a malformed token too: a text the document's pattern allows is a valid request
        // whose link this deployment did not make, not a malformed one.
        return AdminProblem(.forbidden, "\(error)", field: "token")
    }

    /// Records `token`'s opt-out (``LeadWriter/unsubscribe(leadID:org:channel:defaultMaxAttempts:events:on:)``)
    /// and its history entry; 404 for a lead that does not exist.
    func record(_ token: UnsubscribeToken, in database: PostgresClient) async throws -> LeadWriter.OneClickOutcome {
        let channel: Leadflow_V1_Channel = token.channel == .email ? .email : .sms
        let (defaultMaxAttempts, keepsHistory) = (self.defaultMaxAttempts, self.keepsHistory)
        let outcome = try await database.withTransaction { connection in
            // Not published: the admin service has no PUB socket (docs/decisions.md); the history keeps it.
            var events = LeadEventLog(recording: false, history: keepsHistory)
            let outcome = try LeadWriter.unsubscribe(
                leadID: Int(token.leadID), org: token.org, channel: channel, defaultMaxAttempts: defaultMaxAttempts,
                events: &events, on: connection)
            try LeadHistory.write(events, on: connection)
            return outcome
        }
        logger.info(
            "one-click unsubscribe",
            metadata: [
                "org.id": "\(token.org)", "lead.id": "\(token.leadID)", "channel": "\(token.channel)",
                "outcome": "\(outcome.rawValue)",
            ])
        if outcome == .unknownLead {
            throw AdminProblem(.notFound, "lead \(token.leadID) of \(token.org) not found")
        }
        return outcome
    }
}
