import LeadflowDomain

/// Counts requests with bad tokens per client address and says when an address must wait: a token bucket
/// per address of `limit` tries that refills over `window`, so after `limit` bad tokens in quick succession an
/// address gets one more try every `window / limit`. Pure: the caller passes the time and holds the lock.
///
/// While an address has no try left, every request from it that carries a token is refused — a good token
/// included, so a guesser cannot tell a hit from a miss by the answer.
public struct BadTokenLimiter: Sendable {
    /// What to do with a request.
    public enum Decision: Sendable, Equatable {
        case admit
        /// Refuse it; the address has a try again after this many whole seconds (at least 1).
        case refuse(retryAfterSeconds: Int)
    }

    private struct Bucket {
        var tries: Double
        var updated: ContinuousClock.Instant
    }

    public let limit: Int
    public let window: Duration
    /// Most addresses remembered; beyond it the ones that have waited longest are forgotten first.
    public let capacity: Int
    private var buckets: [String: Bucket] = [:]

    public init(limit: Int, window: Duration, capacity: Int = 10_000) {
        precondition(limit > 0 && window > .zero && capacity > 0, "a limiter needs a positive limit, window and capacity")
        self.limit = limit
        self.window = window
        self.capacity = capacity
    }

    /// Addresses with bad tokens on record.
    public var trackedAddresses: Int { buckets.count }

    /// Tries earned per second.
    private var refillRate: Double { Double(limit) / window.seconds }

    /// Whether a request from `address` may try its token now.
    public func decision(for address: String, at now: ContinuousClock.Instant) -> Decision {
        guard let bucket = buckets[address] else { return .admit }
        let tries = refilled(bucket, at: now)
        if tries >= 1 { return .admit }
        // Less a nanosecond, so a wait of exactly 2 s computed as 2.0000000001 s is not announced as 3.
        let seconds = ((1 - tries) / refillRate - 1e-9).rounded(.up)
        return .refuse(retryAfterSeconds: max(1, Int(seconds)))
    }

    /// Spends one try of `address` on a bad token.
    public mutating func recordBadToken(from address: String, at now: ContinuousClock.Instant) {
        let tries = buckets[address].map { refilled($0, at: now) } ?? Double(limit)
        if buckets[address] == nil && buckets.count >= capacity { makeRoom(at: now) }
        buckets[address] = Bucket(tries: max(0, tries - 1), updated: now)
    }

    private func refilled(_ bucket: Bucket, at now: ContinuousClock.Instant) -> Double {
        let elapsed = max(0, (now - bucket.updated).seconds)
        return min(Double(limit), bucket.tries + elapsed * refillRate)
    }

    /// Forgets addresses whose buckets have refilled (they are as good as new), then, if that is not enough,
    /// the one that has waited longest.
    private mutating func makeRoom(at now: ContinuousClock.Instant) {
        buckets = buckets.filter { refilled($0.value, at: now) < Double(limit) }
        if buckets.count >= capacity, let oldest = buckets.min(by: { $0.value.updated < $1.value.updated }) {
            buckets.removeValue(forKey: oldest.key)
        }
    }
}
