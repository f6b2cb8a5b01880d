/// The collector's own counts, exported as its self-metrics.
public struct CollectorStatistics: Sendable, Hashable, Codable {
    /// Measurements offered to the store, well-formed or not.
    public var received: UInt64 = 0
    /// Measurements rejected as malformed (undecodable payload, bad subject token, negative duration, …).
    public var malformed: UInt64 = 0
    /// Measurements left out because they would have opened a series beyond `maxSeries`.
    public var droppedSeries: UInt64 = 0
    /// Series held at the time of the snapshot.
    public var series: Int = 0

    public init() {}
}
