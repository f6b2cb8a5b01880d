import CoreMetrics

/// A counter handler: each increment is published as a KIND_COUNTER measurement whose value is the increment,
/// so the collector sums them; an increment by zero publishes nothing.
final class MeasurementCounter: CounterHandler, FloatingPointCounterHandler {
    let template: MeasurementRecord
    let publisher: TelemetryPublisher

    init(template: MeasurementRecord, publisher: TelemetryPublisher) {
        self.template = template
        self.publisher = publisher
    }

    func increment(by amount: Int64) { increment(by: Double(amount)) }

    func increment(by amount: Double) {
        guard amount != 0 else { return }
        var record = template
        record.startNanoseconds = WallClock.nanoseconds()
        record.value = amount
        publisher.publish(record)
    }

    /// The collector owns the totals; a reset here has nothing to clear.
    func reset() {}
}
