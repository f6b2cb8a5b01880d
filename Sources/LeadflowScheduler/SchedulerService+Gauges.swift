import CoreMetrics
import Foundation
import LeadflowStore
import LeadflowTelemetry
import Postgres

extension SchedulerService {
    /// Every gauge interval: one `QueueGauges` statement, published as `backlog` (total, and per action type),
    /// `oldest_due_age`, `in_flight` per organization and type, and `dead_letters`; and the process's CPU and
    /// memory. Every scheduler samples (the collector keeps the last reading per series). A series that
    /// disappears (a queue drained) is published once more as 0, so its last reading is not left standing.
    func sampleGauges() async {
        guard telemetry.isEnabled else { return }
        let process = ProcessSampler(telemetry: telemetry)
        var reported = ReportedSeries()
        while !Task.isCancelled {
            process.sample()
            do {
                let gauges = try await database.withConnection { connection in
                    try await QueueGauges.read(on: connection)
                }
                publish(gauges, replacing: &reported)
            } catch {
                logger.warning("queue gauges not sampled", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: telemetry.gaugeInterval)
        }
    }

    /// The per-type and per-queue series published last time.
    struct ReportedSeries {
        var types: Set<String> = []
        var queues: Set<QueueGauges.Queue> = []
        var pauses: Set<QueueGauges.Queue> = []
    }

    func publish(_ gauges: QueueGauges, replacing reported: inout ReportedSeries) {
        let metrics = telemetry.metrics
        Gauge(label: "backlog", factory: metrics).record(gauges.backlog)
        for type in reported.types.union(gauges.backlogByType.keys).sorted() {
            Gauge(label: "backlog", dimensions: [(MeasurementField.actionType, type)], factory: metrics)
                .record(gauges.backlogByType[type] ?? 0)
        }
        Gauge(label: "oldest_due_age", factory: metrics).record(gauges.oldestDueAge)
        for queue in reported.queues.union(gauges.inFlight.keys) {
            Gauge(
                label: "in_flight",
                dimensions: [(MeasurementField.org, queue.org), (MeasurementField.actionType, queue.type)],
                factory: metrics
            ).record(gauges.inFlight[queue] ?? 0)
        }
        Gauge(label: "dead_letters", factory: metrics).record(gauges.deadLetters)
        for pause in reported.pauses.union(gauges.paused) {
            Gauge(
                label: "paused", dimensions: [(MeasurementField.org, pause.org), (MeasurementField.scope, pause.type)],
                factory: metrics
            ).record(gauges.paused.contains(pause) ? 1 : 0)
        }
        reported.types = Set(gauges.backlogByType.keys)
        reported.queues = Set(gauges.inFlight.keys)
        reported.pauses = gauges.paused
    }
}
