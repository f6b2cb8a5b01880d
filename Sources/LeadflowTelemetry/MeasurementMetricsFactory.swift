import CoreMetrics

/// A swift-metrics backend that publishes every counter increment, gauge or recorder reading and timer value as
/// a `metrics.<component>.<label>` measurement: the label is the operation and the dimensions fill the
/// measurement's fields (``MeasurementField``) and `attributes`. Injected through ``Telemetry``; never
/// bootstrapped globally.
///
/// Counters → KIND_COUNTER (value = increment); gauges, recorders and meters → KIND_GAUGE (value = reading);
/// timers → KIND_SPAN (duration = the recorded time).
public struct MeasurementMetricsFactory: MetricsFactory {
    public let component: String
    let publisher: TelemetryPublisher?

    public init(component: String, publisher: TelemetryPublisher?) {
        self.component = component
        self.publisher = publisher
    }

    private func template(_ kind: MeasurementRecord.Kind, _ label: String, _ dimensions: [(String, String)])
        -> MeasurementRecord
    {
        var record = MeasurementRecord(kind: kind, component: component, operation: label, startNanoseconds: 0)
        for (key, value) in dimensions { record.set(key, value) }
        return record
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        guard let publisher else { return NOOPMetricsHandler.instance }
        return MeasurementCounter(template: template(.counter, label, dimensions), publisher: publisher)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        guard let publisher else { return NOOPMetricsHandler.instance }
        return MeasurementCounter(template: template(.counter, label, dimensions), publisher: publisher)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard let publisher else { return NOOPMetricsHandler.instance }
        return MeasurementGauge(template: template(.gauge, label, dimensions), publisher: publisher)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        guard let publisher else { return NOOPMetricsHandler.instance }
        return MeasurementGauge(template: template(.gauge, label, dimensions), publisher: publisher)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard let publisher else { return NOOPMetricsHandler.instance }
        return MeasurementTimer(template: template(.span, label, dimensions), publisher: publisher)
    }

    // Handlers hold nothing but their template; there is nothing to release.
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
}
