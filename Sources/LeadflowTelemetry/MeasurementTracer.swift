import Tracing

/// A swift-distributed-tracing `Tracer` whose ended spans are published as `metrics.<component>.<operation>`
/// KIND_SPAN measurements. Injected into services through ``Telemetry``; never bootstrapped globally.
public struct MeasurementTracer: Tracer {
    public let component: String
    let publisher: TelemetryPublisher?

    public init(component: String, publisher: TelemetryPublisher?) {
        self.component = component
        self.publisher = publisher
    }

    /// Starts a span at `instant` (its duration runs from there to `end`). The context is not consulted:
    /// this tracer does not propagate spans.
    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> MeasurementSpan {
        guard let publisher else { return MeasurementSpan.disabled }
        return MeasurementSpan(
            operationName: operationName, component: component, startNanoseconds: instant().nanosecondsSinceEpoch,
            publisher: publisher)
    }

    /// Measurements go out continuously; nothing to flush.
    public func forceFlush() {}

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {}

    public func inject<Carrier, Inject: Injector>(
        _ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {}
}
