import LeadflowBus
import LeadflowDomain
import LeadflowProto
import LeadflowStore
import LeadflowTelemetry
import Logging
import Synchronization
import Tracing

/// Results: handlers' results pulled in batches, decoded, and applied in transactions, in turns across
/// organizations.
extension SchedulerService {
    func applyResults() async {
        while true {
            let batch = await results.nextBatch(max: configuration.resultBatch)
            if batch.isEmpty { return }
            var decoded: [DecodedResult] = []
            decoded.reserveCapacity(batch.count)
            var undecodable = 0
            for envelope in batch {
                let trace = envelope.headers[Headers.Name.traceparent].flatMap(TraceParent.init)
                do {
                    // Handlers push on `result.<type>`.
                    let type = envelope.subject.string.split(separator: ".").last
                        .flatMap { ActionType(rawValue: String($0)) }
                    decoded.append(
                        DecodedResult(
                            outcome: ActionOutcome(
                                try envelope.decode(Leadflow_V1_ActionResult.self),
                                retry: configuration.retryPolicy(for: type)),
                            trace: trace, type: type, org: envelope.headers[Headers.Name.org]))
                } catch {
                    undecodable += 1
                    var metadata: Logger.Metadata = ["subject": "\(envelope.subject)", "error": "\(error)"]
                    if let trace { metadata[TraceParent.logMetadataKey] = "\(trace.traceID)" }
                    logger.warning("result not decodable", metadata: metadata)
                }
            }
            counters.withLock { $0.undecodableResults += undecodable }
            if Set(decoded.map(\.org)).count > 1 { noteCompeting() }
            // Several organizations' results: in turns, a shared batch per transaction (docs/tenants.md).
            for part in ResultTurns.split(decoded, sharedLimit: configuration.sharedResultBatch, organization: \.org) {
                let taken = await apply(part)
                counters.withLock { $0.results += part.count }
                if taken { await claimFollowUps(of: part) }
                // Successes made next actions due.
                doorbell.ring()
            }
        }
    }

    /// A handler's result as the scheduler applies it.
    struct DecodedResult: Sendable {
        var outcome: ActionOutcome
        /// The trace the result came back with (`nil`: none, or not valid), for its log line.
        var trace: TraceParent?
        var type: ActionType?
        /// The `Leadflow-Org` header (`nil` from a handler that does not send it).
        var org: String?
    }

    /// Applies `results` in one transaction. Results are what handlers did: they are kept until the database
    /// takes them (a result dropped here would make its action go out again when its lease ends). Only
    /// cancellation gives up on them. Returns whether the database took them.
    private func apply(_ results: [DecodedResult]) async -> Bool {
        let settings = workQueueSettings
        let recording = events != nil
        let history = configuration.keepsHistory
        let outcomes = results.map(\.outcome)
        var attempt = 0
        while true {
            attempt += 1
            let span = telemetry.tracer.startSpan("result_apply")
            do {
                let (resultEvents, eventTraces, applied, queries) = try await database.withTransaction {
                    [outcomes] connection in
                    var events = LeadEventLog(recording: recording, history: history)
                    let before = connection.roundTrips
                    let applied = try WorkQueue.apply(outcomes, settings: settings, events: &events, on: connection)
                    try LeadHistory.write(events, on: connection)
                    return (events.take(), events.traces, applied, connection.roundTrips - before)
                }
                span.updateAttributes { attributes in
                    attributes[MeasurementField.itemCount] = outcomes.count
                    attributes[MeasurementField.dbQueries] = queries
                    attributes[MeasurementField.outcome] = "ok"
                }
                span.end()
                instruments.applied(outcomes, types: results.map(\.type), result: applied)
                log(applied: outcomes, traces: results.map(\.trace))
                log(applied.internalActions)
                let dropped = events?.publish(resultEvents, traces: eventTraces) ?? 0
                // Every final result is settled now — applied, or found already settled — and its handler may
                // forget it.
                receipts?.publish(
                    results.compactMap { result in
                        guard let type = result.type, result.outcome.kind != .inProgress else { return nil }
                        return .init(type: type, actionID: result.outcome.actionID, attempt: result.outcome.attempt)
                    })
                counters.withLock {
                    $0.eventsDropped += dropped
                    $0.internalActions += applied.internalActions.count
                }
                return true
            } catch {
                span.recordError(error)
                span.end()
                counters.withLock { $0.failedTransactions += 1 }
                if Task.isCancelled {
                    logger.error(
                        "results dropped: cancelled before the database took them; their actions go out again when their leases end",
                        metadata: ["count": "\(outcomes.count)", "error": "\(error)"])
                    return false
                }
                let delay = Self.databaseBackoff.delay(afterAttempt: attempt)
                logger.warning(
                    "results not applied; retrying",
                    metadata: ["attempt": "\(attempt)", "count": "\(outcomes.count)", "error": "\(error)",
                               "retry.in": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// One debug line per applied result, with the trace the handler sent back.
    private func log(applied outcomes: [ActionOutcome], traces: [TraceParent?]) {
        guard logger.logLevel <= .debug else { return }
        for (outcome, trace) in zip(outcomes, traces) {
            var metadata: Logger.Metadata = [
                "action.id": "\(outcome.actionID)", "action.attempt": "\(outcome.attempt)",
                "action.outcome": "\(outcome.kind.logName)",
            ]
            if let trace { metadata[TraceParent.logMetadataKey] = "\(trace.traceID)" }
            if let error = outcome.error { metadata["error"] = "\(error)" }
            logger.debug("result applied", metadata: metadata)
        }
    }
}
