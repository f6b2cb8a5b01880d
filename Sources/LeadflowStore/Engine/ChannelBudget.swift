import LeadflowDomain

/// What an organization's channel allows right now — room under its in-flight limit and tokens in its bucket —
/// computed one way for the claim that spends it (``ClaimPlan``) and for the answer to "why is it waiting"
/// (``LeadWaits``).
struct ChannelBudget: Sendable, Equatable {
    var maxInFlight: Int
    var inFlight: Int
    var ratePerSecond: Double
    /// Tokens in the bucket now: what was left at the last spend, refilled since, at most the burst.
    var tokens: Double

    init(_ state: ClaimQueues.ChannelState, defaults: ChannelLimits) {
        maxInFlight = state.maxInFlight ?? defaults.maxInFlight
        inFlight = state.inFlight
        ratePerSecond = state.ratePerSecond ?? defaults.ratePerSecond
        let burst = Double(state.burst ?? defaults.burst)
        tokens = min(burst, (state.tokens ?? burst) + ratePerSecond * state.elapsed)
    }

    /// Dispatches the in-flight limit still allows.
    var room: Int { max(0, maxInFlight - inFlight) }

    /// Dispatches the bucket can pay for.
    var affordable: Int { Int(tokens.rounded(.down)) }

    /// Seconds until the bucket holds a whole token; `nil` when it holds one now.
    var nextTokenIn: Double? { affordable < 1 ? (1 - tokens) / ratePerSecond : nil }
}
