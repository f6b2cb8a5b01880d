import Foundation

/// What one counter or gauge series looks like at a snapshot.
public struct ScalarFigures: Sendable, Hashable {
    public var key: SeriesKey
    /// The counter's total since the collector started, or the gauge's last reading.
    public var value: Double
    /// When the last measurement of the series arrived.
    public var updatedAt: Date
    /// Recent readings (totals for counters), oldest first, covering at least the configured history.
    public var history: [SeriesPoint]

    public init(key: SeriesKey, value: Double, updatedAt: Date, history: [SeriesPoint]) {
        self.key = key
        self.value = value
        self.updatedAt = updatedAt
        self.history = history
    }
}
