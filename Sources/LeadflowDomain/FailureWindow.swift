/// Requests and failures over a sliding time window, counted in a fixed number of buckets so that its size does
/// not grow with the request rate; the span it covers is exact to within one bucket (a tenth of the window).
public struct FailureWindow: Sendable, Hashable {
    public typealias Instant = ContinuousClock.Instant

    private struct Bucket: Sendable, Hashable {
        var slot = Int64.min
        var requests = 0
        var failures = 0
    }

    static let bucketCount = 10

    private let origin: Instant
    private let bucketLength: Duration
    private var buckets = Array(repeating: Bucket(), count: Self.bucketCount)

    /// An empty window of length `window`, starting at `origin`.
    public init(window: Duration, origin: Instant) {
        self.origin = origin
        bucketLength = window / Self.bucketCount
    }

    public mutating func record(failed: Bool, at now: Instant) {
        let slot = self.slot(now)
        let count = Int64(Self.bucketCount)
        let position = Int((slot % count + count) % count)
        if buckets[position].slot != slot { buckets[position] = Bucket(slot: slot) }
        buckets[position].requests += 1
        if failed { buckets[position].failures += 1 }
    }

    /// The requests and failures recorded within the window that ends at `now`.
    public func counts(at now: Instant) -> (requests: Int, failures: Int) {
        let current = slot(now)
        var requests = 0
        var failures = 0
        for bucket in buckets where bucket.slot <= current && bucket.slot > current - Int64(Self.bucketCount) {
            requests += bucket.requests
            failures += bucket.failures
        }
        return (requests, failures)
    }

    private func slot(_ now: Instant) -> Int64 {
        Int64(((now - origin) / bucketLength).rounded(.down))
    }
}
