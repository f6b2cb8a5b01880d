import CoreMetrics
import LeadflowDomain
import LeadflowStore
import LeadflowTelemetry
import Synchronization
import Tracing

/// The scheduler's measurements beyond its spans' own timing: what a claim did, and `scheduler.results` counted
/// by outcome and action type (counters made once per series).
final class SchedulerInstruments: Sendable {
    let telemetry: Telemetry
    private let results = Mutex<[ResultSeries: Counter]>([:])

    /// One series of `scheduler.results`.
    struct ResultSeries: Hashable {
        var outcome: String
        var type: String
    }

    init(telemetry: Telemetry) { self.telemetry = telemetry }

    /// Ends a claim's span with what it took, and measures its internal actions as `internal_actions`.
    func claimed(_ claim: WorkQueue.Claim, span: MeasurementSpan) {
        guard telemetry.isEnabled else { return }
        span.updateAttributes { attributes in
            attributes[MeasurementField.itemCount] = claim.dispatches.count + claim.internalCount
            attributes[MeasurementField.dbQueries] = claim.queries
            attributes[MeasurementField.outcome] = "ok"
        }
        span.end()
        ranInternal(count: claim.internalCount, duration: claim.internalDuration, queries: claim.internalQueries)
    }

    /// Internal actions run in a claim or a result transaction, as `internal_actions`.
    private func ranInternal(count: Int, duration: Duration, queries: Int) {
        guard count > 0 else { return }
        telemetry.span("internal_actions", duration: duration) { record in
            record.itemCount = UInt64(count)
            record.dbQueries = UInt32(clamping: queries)
            record.outcome = "ok"
        }
    }

    /// Counts applied results: `succeeded`, `retry`, `snoozed`, `failed` (reported permanent: dead) and `dead`
    /// (a retry with no attempts left). Progress reports (IN_PROGRESS) are not results. The internal actions
    /// the successes made due and the transaction ran are measured as `internal_actions`.
    func applied(_ outcomes: [ActionOutcome], types: [ActionType?], result applied: WorkQueue.Applied) {
        guard telemetry.isEnabled else { return }
        ranInternal(
            count: applied.internalActions.count, duration: applied.internalDuration, queries: applied.internalQueries)
        let dead = applied.dead
        var counts: [ResultSeries: Int] = [:]
        for (outcome, type) in zip(outcomes, types) {
            let label: String
            switch outcome.kind {
            case .succeeded: label = "succeeded"
            case .retry: label = dead.contains(outcome.actionID) ? "dead" : "retry"
            case .snoozed: label = "snoozed"
            case .failedPermanently: label = "failed"
            case .inProgress: continue
            }
            counts[ResultSeries(outcome: label, type: type?.rawValue ?? "unknown"), default: 0] += 1
        }
        for (series, count) in counts { counter(series).increment(by: count) }
    }

    private func counter(_ series: ResultSeries) -> Counter {
        results.withLock { counters in
            if let counter = counters[series] { return counter }
            let counter = Counter(
                label: "results",
                dimensions: [(MeasurementField.outcome, series.outcome), (MeasurementField.actionType, series.type)],
                factory: telemetry.metrics)
            counters[series] = counter
            return counter
        }
    }
}
