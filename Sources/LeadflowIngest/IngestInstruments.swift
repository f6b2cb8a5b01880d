import CoreMetrics
import LeadflowTelemetry

/// `ingest.messages` by outcome (`accepted`, `duplicate`, `rejected`), one increment per batch and outcome.
struct IngestInstruments: Sendable {
    let accepted: Counter
    let duplicates: Counter
    let rejections: Counter

    init(telemetry: Telemetry) {
        func counter(_ outcome: String) -> Counter {
            Counter(label: "messages", dimensions: [(MeasurementField.outcome, outcome)], factory: telemetry.metrics)
        }
        accepted = counter("accepted")
        duplicates = counter("duplicate")
        rejections = counter("rejected")
    }

    /// Messages turned away before the write (invalid subject, headers or payload).
    func rejected(_ count: Int) { rejections.increment(by: count) }

    /// What a committed batch did.
    func written(_ outcome: IngestWriter.Outcome) {
        accepted.increment(by: outcome.applied)
        duplicates.increment(by: outcome.duplicates)
        rejections.increment(by: outcome.rejected)
    }
}
