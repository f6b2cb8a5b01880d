import CoreMetrics
import Foundation
import LeadflowDomain
import LeadflowProto
import LeadflowTelemetry
import Tracing

/// A handler's measurements: each delivery (`delivery` span), the step lag from due to delivery start
/// (`step_lag` span), breaker transitions (`breaker_transition` counter) and breaker levels (`breaker_open`
/// gauge, 1 while open or half-open) — under the component `<type>_handler`.
struct HandlerInstruments: Sendable {
    let telemetry: Telemetry
    let actionType: String

    init(telemetry: Telemetry, actionType: ActionType) {
        self.telemetry = telemetry
        self.actionType = actionType.rawValue
    }

    /// Publishes the step lag of a dispatch that starts delivering now (when the scheduler said when it became
    /// due) and returns the trace id for the delivery's measurement.
    ///
    /// Step lag and delivery are the two measurements of every action: they are built as plain records (no span
    /// object, no attribute dictionary), which the tracer's spans would cost on top.
    func startedDelivery(_ dispatch: Leadflow_V1_ActionDispatch, trace: TraceParent) -> String {
        guard telemetry.isEnabled else { return "" }
        let traceID = trace.traceID
        if dispatch.hasDueAt {
            let due = dispatch.dueAt
            let dueNanoseconds = UInt64(clamping: due.seconds) &* 1_000_000_000 &+ UInt64(clamping: due.nanos)
            let now = MeasurementInstant.now.nanosecondsSinceEpoch
            telemetry.span("step_lag", startNanoseconds: dueNanoseconds, endNanoseconds: now) { record in
                record.org = dispatch.org
                record.actionType = actionType
                record.traceID = traceID
            }
        }
        return traceID
    }

    /// Publishes a delivery that took `duration` and ended now, with its outcome (`succeeded`, `retry`, `failed`,
    /// `snoozed`), organization, type, trace id, provider endpoint and, when it failed, the error class.
    func delivered(
        _ dispatch: Leadflow_V1_ActionDispatch, outcome: DeliveryOutcome, provider: String?, traceID: String,
        duration: Duration
    ) {
        guard telemetry.isEnabled else { return }
        let (label, failure): (String, DeliveryFailure?) =
            switch outcome {
            case .succeeded: ("succeeded", nil)
            case .retry(let failure, _): ("retry", failure)
            case .failedPermanently(let failure): ("failed", failure)
            case .snoozed: ("snoozed", nil)
            }
        telemetry.span("delivery", duration: duration) { record in
            record.itemCount = 1
            record.org = dispatch.org
            record.actionType = actionType
            record.outcome = label
            record.traceID = traceID
            if let provider { record.attributes[MeasurementField.provider] = provider }
            if let failure { record.attributes[MeasurementField.errorClass] = failure.errorClass.rawValue }
        }
    }

    /// Counts a breaker's change of phase and publishes its new level at once.
    func transition(_ transition: CircuitBreakerState.Transition, of breaker: CircuitBreaker) {
        guard telemetry.isEnabled else { return }
        let to: String
        switch transition {
        case .opened: to = "open"
        case .halfOpened: to = "half_open"
        case .closed: to = "closed"
        }
        Counter(
            label: "breaker_transition",
            dimensions: [(MeasurementField.to, to), (MeasurementField.provider, breaker.endpoint)],
            factory: telemetry.metrics
        ).increment()
        level(of: breaker.endpoint, open: to != "closed")
    }

    /// `results_unconfirmed`: final results pushed and not yet acknowledged by a scheduler's receipt.
    func unconfirmed(_ count: Int) {
        Gauge(label: "results_unconfirmed", factory: telemetry.metrics).record(count)
    }

    /// `results_resent`: results pushed again because no receipt came in time.
    func resent(_ count: Int) {
        guard telemetry.isEnabled, count > 0 else { return }
        Counter(label: "results_resent", factory: telemetry.metrics).increment(by: count)
    }

    /// `breaker_open` of one provider: 1 while open or half-open, 0 when closed.
    func level(of provider: String, open: Bool) {
        Gauge(label: "breaker_open", dimensions: [(MeasurementField.provider, provider)], factory: telemetry.metrics)
            .record(open ? 1 : 0)
    }
}
