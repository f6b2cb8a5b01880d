/// A span series' Prometheus histogram since the collector started: counts per fixed bucket, their sum and
/// count, all only ever growing, as Prometheus requires of a histogram.
///
/// Counts are exact (each duration is compared with the bucket bounds in whole microseconds), unlike the
/// HdrHistogram windows, whose values are exact only to three significant digits.
public struct CumulativeHistogram: Sendable, Hashable {
    /// Upper bounds of the buckets in seconds, 1 ms to 5 min (step lags reach minutes; the SLA is 2); `+Inf` is implied.
    public static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
    static let boundsMicroseconds: [UInt64] = bounds.map { UInt64(($0 * 1_000_000).rounded()) }

    /// Observations at or below each bound, cumulative, in the order of `bounds`.
    public private(set) var cumulativeCounts: [UInt64] = Array(repeating: 0, count: bounds.count)
    /// Every observation, the `+Inf` bucket.
    public private(set) var count: UInt64 = 0
    /// Sum of the observations in seconds.
    public private(set) var sum: Double = 0
    /// The spans' `item_count`s summed.
    public private(set) var items: UInt64 = 0
    /// The spans' `db_queries` summed.
    public private(set) var dbQueries: UInt64 = 0

    public init() {}

    mutating func record(microseconds: UInt64, items: UInt64 = 0, dbQueries: UInt64 = 0) {
        count &+= 1
        self.items &+= items
        self.dbQueries &+= dbQueries
        sum += Double(microseconds) / 1_000_000
        // Every bucket whose bound is at or above the value counts it: cumulative by construction.
        for index in Self.boundsMicroseconds.indices.reversed() {
            guard microseconds <= Self.boundsMicroseconds[index] else { break }
            cumulativeCounts[index] &+= 1
        }
    }
}
