/// How much one organization may send on one channel (email, sms, webhook): at most `maxInFlight` actions
/// dispatched and not yet answered, and `ratePerSecond` dispatches per second on average with bursts of up to
/// `burst` (a token bucket). Retries spend tokens like first attempts.
public struct ChannelLimits: Sendable, Hashable {
    public var maxInFlight: Int
    public var ratePerSecond: Double
    public var burst: Int

    public init(maxInFlight: Int = 1_000, ratePerSecond: Double = 500, burst: Int = 1_000) {
        self.maxInFlight = maxInFlight
        self.ratePerSecond = ratePerSecond
        self.burst = burst
    }

    /// Readable problems with the values, empty when they are usable.
    public func problems() -> [String] {
        var problems: [String] = []
        if maxInFlight < 1 { problems.append("max in flight must be at least 1 (got \(maxInFlight))") }
        if !(ratePerSecond > 0) || !ratePerSecond.isFinite {
            problems.append("rate per second must be a positive number (got \(ratePerSecond))")
        }
        if burst < 1 { problems.append("burst must be at least 1 (got \(burst))") }
        return problems
    }
}
