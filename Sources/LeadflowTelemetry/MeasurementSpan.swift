import Synchronization
import Tracing

/// A span that becomes one KIND_SPAN measurement when it ends: its operation name is the measurement's
/// operation, its attributes fill the measurement's fields (``MeasurementField``) and `attributes`.
///
/// The spans of a disabled tracer are one shared instance that records nothing.
public final class MeasurementSpan: Span {
    private struct State {
        var operationName: String
        var attributes = SpanAttributes()
        var failed = false
        var ended = false
    }

    let component: String
    let startNanoseconds: UInt64
    let publisher: TelemetryPublisher?
    private let state: Mutex<State>

    init(operationName: String, component: String, startNanoseconds: UInt64, publisher: TelemetryPublisher?) {
        self.component = component
        self.startNanoseconds = startNanoseconds
        self.publisher = publisher
        state = Mutex(State(operationName: operationName))
    }

    /// What a disabled tracer hands out: never recording, never allocated again.
    static let disabled = MeasurementSpan(operationName: "", component: "", startNanoseconds: 0, publisher: nil)

    /// Spans are not propagated through this tracer; trace context travels in the `Traceparent` header.
    public var context: InstrumentationContext { .topLevel }

    public var operationName: String {
        get { state.withLock { $0.operationName } }
        set {
            guard publisher != nil else { return }
            state.withLock { if !$0.ended { $0.operationName = newValue } }
        }
    }

    public var attributes: SpanAttributes {
        get { publisher == nil ? SpanAttributes() : state.withLock { $0.attributes } }
        set {
            guard publisher != nil else { return }
            state.withLock { if !$0.ended { $0.attributes = newValue } }
        }
    }

    public var isRecording: Bool {
        publisher != nil && !state.withLock { $0.ended }
    }

    /// An error status makes the outcome `error` unless an outcome was set.
    public func setStatus(_ status: SpanStatus) {
        guard publisher != nil, status.code == .error else { return }
        state.withLock { $0.failed = true }
    }

    /// Events are not measured.
    public func addEvent(_ event: SpanEvent) {}

    /// Makes the outcome `error` unless one was set, and records the error's type as `error_class` unless set.
    public func recordError<Instant: TracerInstant>(
        _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {
        guard publisher != nil else { return }
        let errorClass = String(describing: type(of: error))
        state.withLock { state in
            state.failed = true
            if state.attributes.get(MeasurementField.errorClass) == nil {
                state.attributes.set(MeasurementField.errorClass, value: .string(errorClass))
            }
        }
    }

    /// Links are not measured.
    public func addLink(_ link: SpanLink) {}

    /// Publishes the measurement (once; later calls do nothing).
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        guard let publisher else { return }
        let ended = state.withLock { state -> State? in
            guard !state.ended else { return nil }
            state.ended = true
            return state
        }
        guard let ended else { return }
        let end = instant().nanosecondsSinceEpoch
        var record = MeasurementRecord(
            kind: .span, component: component, operation: ended.operationName, startNanoseconds: startNanoseconds)
        record.durationNanoseconds = end > startNanoseconds ? end - startNanoseconds : 0
        ended.attributes.forEach { key, attribute in record.set(key, attribute) }
        if ended.failed && record.outcome.isEmpty { record.outcome = "error" }
        publisher.publish(record)
    }
}

extension MeasurementRecord {
    /// Sets the field or attribute `key` names from a span attribute.
    mutating func set(_ key: String, _ attribute: SpanAttribute) {
        switch (key, attribute) {
        case (MeasurementField.itemCount, .int64(let value)): itemCount = UInt64(clamping: value)
        case (MeasurementField.itemCount, .int32(let value)): itemCount = UInt64(clamping: value)
        case (MeasurementField.dbQueries, .int64(let value)): dbQueries = UInt32(clamping: value)
        case (MeasurementField.dbQueries, .int32(let value)): dbQueries = UInt32(clamping: value)
        default: set(key, attribute.measurementText)
        }
    }
}

extension SpanAttribute {
    /// The attribute as measurement text: numbers and booleans in their usual form, arrays comma-separated.
    var measurementText: String {
        switch self {
        case .string(let value): value
        case .int64(let value): String(value)
        case .int32(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): String(value)
        case .stringArray(let values): values.joined(separator: ",")
        case .int64Array(let values): values.map(String.init).joined(separator: ",")
        case .int32Array(let values): values.map(String.init).joined(separator: ",")
        case .doubleArray(let values): values.map { String($0) }.joined(separator: ",")
        case .boolArray(let values): values.map(String.init).joined(separator: ",")
        case .stringConvertible(let value): value.description
        case .stringConvertibleArray(let values): values.map(\.description).joined(separator: ",")
        default: "\(self)"
        }
    }
}
