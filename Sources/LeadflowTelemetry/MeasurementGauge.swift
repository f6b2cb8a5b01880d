import CoreMetrics
import Synchronization

/// A gauge, recorder or meter handler: each reading is published as a KIND_GAUGE measurement; the collector
/// keeps the last one per series. A meter's increments and decrements publish the new level.
final class MeasurementGauge: RecorderHandler, MeterHandler {
    let template: MeasurementRecord
    let publisher: TelemetryPublisher
    private let level = Mutex<Double>(0)

    init(template: MeasurementRecord, publisher: TelemetryPublisher) {
        self.template = template
        self.publisher = publisher
    }

    func record(_ value: Int64) { record(Double(value)) }

    func record(_ value: Double) {
        level.withLock { $0 = value }
        publish(value)
    }

    func set(_ value: Int64) { record(Double(value)) }
    func set(_ value: Double) { record(value) }

    func increment(by amount: Double) {
        publish(level.withLock { level in
            level += amount
            return level
        })
    }

    func decrement(by amount: Double) { increment(by: -amount) }

    private func publish(_ value: Double) {
        var record = template
        record.startNanoseconds = WallClock.nanoseconds()
        record.value = value
        publisher.publish(record)
    }
}
