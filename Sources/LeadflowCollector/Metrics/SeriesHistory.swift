import Foundation

/// The recent readings of a counter or gauge series, oldest first, for the growth rules.
///
/// Readings closer than `resolution` to the previous point update that point's value instead of adding one, so a
/// counter incremented a thousand times a second keeps one point a second. Points older than `retention` are
/// dropped except the newest of them, which is the series' value at the start of the retained period.
struct SeriesHistory: Sendable {
    private(set) var points: [SeriesPoint] = []

    mutating func append(
        _ value: Double, at time: Date, retention: TimeInterval, resolution: TimeInterval, maxPoints: Int
    ) {
        if let last = points.last, time.timeIntervalSince(last.time) < resolution {
            points[points.count - 1].value = value
        } else {
            points.append(SeriesPoint(time: time, value: value))
        }
        let horizon = time.addingTimeInterval(-retention)
        var drop = 0
        while drop + 1 < points.count, points[drop + 1].time <= horizon { drop += 1 }
        drop = max(drop, points.count - maxPoints)
        if drop > 0 { points.removeFirst(drop) }
    }
}
