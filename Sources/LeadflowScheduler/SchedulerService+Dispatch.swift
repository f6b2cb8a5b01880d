import Foundation
import LeadflowBus
import LeadflowDomain
import LeadflowProto
import LeadflowStore
import Logging
import Postgres
import Synchronization

/// Dispatching: a claim's external actions built into dispatches from their configs and queued for their type's
/// dispatcher; those that cannot be dispatched put back to pending.
extension SchedulerService {
    /// Builds and queues the dispatches; returns how many were queued and the statements run (loading configs
    /// not seen before, putting back the actions that cannot be dispatched).
    func dispatch(_ actions: [ClaimedAction]) async throws -> (queued: Int, queries: Int) {
        let (configsByID, loaded) = try await actionConfigs(for: actions)
        let now = Date()
        let deadline = now.addingTimeInterval(Double(configuration.lease.components.seconds))
        var byType: [ActionType: [Envelope]] = [:]
        var undispatched: [(action: ClaimedAction, reason: String)] = []
        for action in actions {
            guard let config = configsByID[action.pipelineActionID] else {
                undispatched.append((action, "not dispatched: no config for pipeline action \(action.pipelineActionID)"))
                continue
            }
            guard dispatchers[action.type] != nil else {
                undispatched.append((action, "not dispatched: the scheduler has no dispatcher for \(action.type.rawValue) actions"))
                continue
            }
            do {
                byType[action.type, default: []].append(
                    try action.dispatchEnvelope(config: config, deadline: deadline, now: now))
            } catch {
                undispatched.append((action, "not dispatched: the dispatch does not encode: \(error)"))
            }
        }
        for (type, envelopes) in byType { dispatchers[type]?.enqueue(envelopes) }
        let queries = await returnUndispatched(undispatched)
        return (actions.count - undispatched.count, (loaded ? 1 : 0) + queries)
    }

    /// The configs of `actions` by pipeline action id, from the cache or else the database (then cached), and
    /// whether the database was asked. Gathered here rather than read back from the cache, which may be smaller
    /// than a claim.
    private func actionConfigs(for actions: [ClaimedAction]) async throws -> ([Int: Leadflow_V1_Action], Bool) {
        let ids = Set(actions.map(\.pipelineActionID))
        var configsByID = configs.withLock { cache in
            var hits: [Int: Leadflow_V1_Action] = [:]
            for id in ids { hits[id] = cache.value(for: id) }
            return hits
        }
        let missing = ids.subtracting(configsByID.keys)
        guard !missing.isEmpty else { return (configsByID, false) }
        let loaded = try await database.withConnection { connection in
            try await connection.actionConfigs(Array(missing))
        }
        configsByID.merge(loaded) { _, new in new }
        configs.withLock { cache in
            for (id, config) in loaded { cache.set(config, for: id) }
        }
        return (configsByID, true)
    }

    /// Puts claimed actions that cannot be dispatched back to `pending` at once, due again after
    /// ``undispatchedDelay`` with their attempt given back (``WorkQueue/returnUndispatched(_:delay:events:on:)``),
    /// instead of leaving them to their lease: another scheduler may have what this one lacks. One error line for
    /// the claim; one debug line per action, with its trace. Should putting them back fail too, they come back
    /// when their leases end. Returns the statements run.
    private func returnUndispatched(_ undispatched: [(action: ClaimedAction, reason: String)]) async -> Int {
        guard !undispatched.isEmpty else { return 0 }
        let reasons = Dictionary(grouping: undispatched, by: \.reason).mapValues(\.count)
            .sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
        logger.error(
            "claimed actions not dispatched; back to pending",
            metadata: [
                "count": "\(undispatched.count)", "reasons": "\(reasons.joined(separator: "; "))",
                "action.ids": "\(undispatched.prefix(20).map(\.action.actionID))",
                "retry.in": "\(Self.undispatchedDelay)",
            ])
        if logger.logLevel <= .debug {
            for (action, reason) in undispatched {
                logger.debug(
                    "claimed action not dispatched",
                    metadata: [
                        "action.id": "\(action.actionID)", TraceParent.logMetadataKey: "\(action.trace.traceID)",
                        "reason": "\(reason)",
                    ])
            }
        }
        let returning = undispatched.map {
            WorkQueue.Undispatched(actionID: $0.action.actionID, attempt: $0.action.attempt, reason: $0.reason)
        }
        let recording = events != nil
        let history = configuration.keepsHistory
        let delay = Self.undispatchedDelay
        do {
            let (returned, returnEvents, traces, queries) = try await database.withTransaction { connection in
                var events = LeadEventLog(recording: recording, history: history)
                let before = connection.roundTrips
                let returned = try WorkQueue.returnUndispatched(returning, delay: delay, events: &events, on: connection)
                try LeadHistory.write(events, on: connection)
                return (returned, events.take(), events.traces, connection.roundTrips - before)
            }
            let dropped = events?.publish(returnEvents, traces: traces) ?? 0
            counters.withLock {
                $0.undispatched += returned.count
                $0.eventsDropped += dropped
            }
            return queries
        } catch {
            counters.withLock { $0.failedTransactions += 1 }
            logger.warning(
                "undispatched actions not put back; they come back when their leases end",
                metadata: ["count": "\(undispatched.count)", "error": "\(error)"])
            return 1
        }
    }
}

extension PostgresConnection {
    fileprivate func actionConfigs(_ ids: [Int]) throws -> [Int: Leadflow_V1_Action] {
        try WorkQueue.actionConfigs(ids, on: self)
    }
}
