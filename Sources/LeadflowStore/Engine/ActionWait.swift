import Foundation

/// One open action of a lead and why it has not run yet (or what became of it), from the rules the claim
/// applies (docs/operations.md, "Why is it waiting").
public struct ActionWait: Sendable, Hashable, Codable {
    public enum Reason: Sendable, Hashable, Codable {
        /// The lead's previous action in the stage has not finished.
        case blocked(behindActionID: Int, behindType: String, behindStatus: String)
        /// Not due yet: a wait, or a retry or snooze after `lastError`.
        case scheduled(dueAt: Date)
        /// An operator paused the organization (`scope` `all`), this channel of it, or its pipeline (`scope`
        /// `pipeline`: the action is held out of the queue until the pipeline is resumed).
        case paused(scope: String, since: Date, by: String, reason: String?)
        /// Due, but its channel is suppressed for the lead: when its turn comes — after the `ahead` due actions of
        /// the organization and type before it, within the channel's limits — the claim cancels it instead of
        /// sending it.
        case suppressed(ahead: Int)
        /// Due, but the organization's channel has `inFlight` of `maxInFlight` dispatched and unanswered.
        case inFlightLimit(inFlight: Int, maxInFlight: Int)
        /// Due, but the organization's channel has no token: the next comes at `nextTokenAt`.
        case rateLimited(nextTokenAt: Date, ratePerSecond: Double)
        /// Due, and within its channel's limits: the next claims take it, after the `ahead` actions of the same
        /// organization and type that fell due before it.
        case queued(ahead: Int)
        /// With a handler since `dispatchedAt`; taken back if no result comes by `leaseUntil` plus
        /// `scheduler.lease_grace`.
        case withHandler(dispatchedAt: Date?, leaseUntil: Date?)
        /// Waiting for the lead's reply until `until`, then it times out.
        case waitingForReply(until: Date)
        /// Failed permanently or out of attempts; runs again only if replayed.
        case dead
    }

    public var actionID: Int
    public var type: String
    public var status: String
    public var pipeline: String
    public var stage: String
    public var attempts: Int
    public var maxAttempts: Int
    public var lastError: String?
    public var reason: Reason

    /// One line for a person: what it waits for, with times in ISO 8601.
    public var explanation: String {
        func time(_ date: Date) -> String { date.formatted(.iso8601) }
        switch reason {
        case .blocked(let id, let type, let status): return "blocked behind action \(id) (\(type), \(status))"
        case .scheduled(let due):
            if let lastError { return "due at \(time(due)), after: \(lastError)" }
            return "due at \(time(due))"
        case .paused(let scope, let since, let by, let reason):
            let pause = "paused since \(time(since)) by \(by)" + (reason.map { ": \($0)" } ?? "")
            switch scope {
            case "pipeline": return "held: the pipeline \(pipeline) \(pause)"
            case "all": return "due, but the organization's work \(pause)"
            default: return "due, but the organization's \(scope) actions \(pause)"
            }
        case .suppressed(let ahead):
            return "due, but the lead opted out of this channel: canceled instead of sent when its turn comes"
                + (ahead == 0 ? " (next)" : " (\(Self.count(ahead)) due actions of the organization and type before it)")
        case .inFlightLimit(let inFlight, let max):
            return "due, held by the organization's in-flight limit (\(inFlight) of \(max) in flight)"
        case .rateLimited(let next, let rate):
            return "due, held by the organization's rate limit (\(rate)/s; next token at \(time(next)))"
        case .queued(let ahead):
            return ahead == 0
                ? "due now: the next claim takes it"
                : "due now, behind \(Self.count(ahead)) due actions of the same organization and type"
        case .withHandler(let since, let lease):
            let from = since.map { " since \(time($0))" } ?? ""
            let until = lease.map { "; taken back after \(time($0)) plus scheduler.lease_grace without a result" } ?? ""
            return "with a handler\(from)\(until)"
        case .waitingForReply(let until): return "waiting for a reply until \(time(until))"
        case .dead: return "dead after \(attempts) of \(maxAttempts) attempts: \(lastError ?? "no error recorded")"
        }
    }

    /// A count of actions ahead, "at least N" at ``LeadWaits/aheadLimit``.
    static func count(_ ahead: Int) -> String { ahead >= LeadWaits.aheadLimit ? "at least \(ahead)" : "\(ahead)" }
}
