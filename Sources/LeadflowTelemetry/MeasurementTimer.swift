import CoreMetrics

/// A timer handler: each recorded duration is published as a KIND_SPAN measurement that ended now.
final class MeasurementTimer: TimerHandler {
    let template: MeasurementRecord
    let publisher: TelemetryPublisher

    init(template: MeasurementRecord, publisher: TelemetryPublisher) {
        self.template = template
        self.publisher = publisher
    }

    func recordNanoseconds(_ duration: Int64) {
        let nanoseconds = UInt64(clamping: duration)
        let now = WallClock.nanoseconds()
        var record = template
        record.startNanoseconds = now > nanoseconds ? now - nanoseconds : 0
        record.durationNanoseconds = nanoseconds
        publisher.publish(record)
    }
}
