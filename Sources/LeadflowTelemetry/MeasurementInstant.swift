import Tracing

/// A wall-clock instant for spans that start at a known time rather than now — such as a step lag, which starts
/// when the action became due.
public struct MeasurementInstant: TracerInstant {
    public var nanosecondsSinceEpoch: UInt64

    public init(nanosecondsSinceEpoch: UInt64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }

    /// Now, from the system's real-time clock.
    public static var now: MeasurementInstant { MeasurementInstant(nanosecondsSinceEpoch: WallClock.nanoseconds()) }

    public static func < (lhs: MeasurementInstant, rhs: MeasurementInstant) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }
}
