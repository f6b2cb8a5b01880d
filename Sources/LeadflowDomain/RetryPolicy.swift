/// How long a failed delivery waits before its next attempt: exponential back-off with full jitter
/// (`random(0, min(cap, base · 2^(attempt-1)))`), so retries from many leads spread out instead of
/// arriving together; a provider's `Retry-After` takes precedence when it asks for longer.
public struct RetryPolicy: Sendable, Hashable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
    }

    /// The delay before the attempt after `attempt` (1 for the first), given a draw `unit` in `0...1`.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil, unit: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 40)
        let ceiling = min(cap, base * Double(1 << min(exponent, 30)))
        let jittered = ceiling * min(max(unit, 0), 1)
        guard let retryAfter else { return jittered }
        return max(jittered, min(retryAfter, cap * 4))
    }

    /// ``delay(afterAttempt:retryAfter:unit:)`` with a random draw.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        delay(afterAttempt: attempt, retryAfter: retryAfter, unit: Double.random(in: 0...1))
    }

    /// Readable problems with the values, empty when they are usable.
    public func problems() -> [String] {
        var problems: [String] = []
        if base <= .zero { problems.append("retry base must be positive (got \(base))") }
        if cap < base { problems.append("retry cap (\(cap)) cannot be shorter than the retry base (\(base))") }
        return problems
    }
}
