import Foundation

/// One reading of a counter (its total) or gauge (its value) at a time, kept for growth rules.
public struct SeriesPoint: Sendable, Hashable, Codable {
    public var time: Date
    public var value: Double

    public init(time: Date, value: Double) {
        self.time = time
        self.value = value
    }
}
