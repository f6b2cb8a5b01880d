import Foundation

/// The readings of a series that describe the last `over` before `time`: the start reading (the newest at or
/// before `time - over`, nil when the series is younger) and the readings after it.
struct HistoryPeriod {
    var start: SeriesPoint?
    var points: [SeriesPoint]

    /// Nil when there is no reading at all up to `time`.
    init?(_ history: [SeriesPoint], over: TimeInterval, at time: Date) {
        let boundary = time.addingTimeInterval(-over)
        let upToNow = history.filter { $0.time <= time }
        guard !upToNow.isEmpty else { return nil }
        start = upToNow.last { $0.time <= boundary }
        points = upToNow.filter { $0.time > boundary }
    }
}
