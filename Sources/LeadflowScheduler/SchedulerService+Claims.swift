import LeadflowDomain
import LeadflowProto
import LeadflowStore
import LeadflowTelemetry
import Logging
import Postgres
import Synchronization
import Tracing

/// Claiming: the claim loop, one claim transaction (its dispatches built and queued in `+Dispatch`), and the
/// follow-up claims after result transactions and wake-ups.
extension SchedulerService {
    func claimLoop() async {
        var failures = 0
        while !gate.isClosed {
            let excluded = saturatedTypes
            let claim: WorkQueue.Claim
            do {
                // While several organizations have work going — due actions (the claim sees those itself) or
                // results that came back within the idle interval — claims take the smaller batch: a claim is
                // the time an organization's next action may wait behind the others' (docs/tenants.md).
                let shared = min(configuration.sharedClaimBatch, configuration.claimBatch)
                claim = try await claimOnce(
                    limit: isCompeting ? shared : configuration.claimBatch, sharedLimit: shared, excluding: excluded)
                if claim.organizations > 1 { noteCompeting() }
                backlogged.withLock { $0 = claim.backlogged }
                failures = 0
            } catch {
                failures += 1
                counters.withLock { $0.failedTransactions += 1 }
                let delay = Self.databaseBackoff.delay(afterAttempt: failures)
                logger.warning("claim failed; retrying", metadata: ["error": "\(error)", "retry.in": "\(delay)"])
                await backOff(delay)
                continue
            }
            // A canceled suppressed action made its lead's next action due now, like an internal action does.
            let progressed = claim.wasFull || claim.internalCount > 0 || claim.suppressedCount > 0
            if progressed && excluded.isEmpty { continue }
            // Sleep until the next due time or token, at most the idle interval; briefly while a type is
            // saturated, to look again once its queue drains. NOTIFY and results ring the doorbell sooner.
            let idle = configuration.idleInterval
            let wait = excluded.isEmpty ? min(idle, claim.wakeIn ?? idle) : .milliseconds(20)
            await doorbell.wait(timeout: wait)
        }
    }

    /// Types whose dispatch queue is full: not claimed until it drains.
    private var saturatedTypes: Set<ActionType> { Set(dispatchers.filter { $0.value.isSaturated }.map(\.key)) }

    /// Whether several organizations had work going within the last idle interval.
    private var isCompeting: Bool {
        competingUntil.withLock { until in until.map { ContinuousClock.now < $0 } ?? false }
    }

    /// Several organizations have work going: claims take the shared batch for the next idle interval.
    func noteCompeting() {
        let until = ContinuousClock.now + configuration.idleInterval
        competingUntil.withLock { $0 = until }
    }

    /// One claim transaction, its dispatches handed to the type dispatchers.
    private func claimOnce(
        limit: Int, sharedLimit: Int, excluding excluded: Set<ActionType>, organizations: [String]? = nil
    ) async throws -> WorkQueue.Claim {
        let settings = workQueueSettings
        let recording = events != nil
        let history = configuration.keepsHistory
        let started = ContinuousClock.now
        let span = telemetry.tracer.startSpan("claim")
        let claim: WorkQueue.Claim
        let claimEvents: [Leadflow_V1_LeadEvent]
        let traces: [Int: TraceParent]
        do {
            (claim, claimEvents, traces) = try await database.withTransaction { connection in
                var events = LeadEventLog(recording: recording, history: history)
                let claim = try WorkQueue.claim(
                    limit: limit, sharedLimit: sharedLimit, excluding: excluded, organizations: organizations,
                    settings: settings, events: &events, on: connection)
                try LeadHistory.write(events, on: connection)
                return (claim, events.take(), events.traces)
            }
        } catch {
            span.recordError(error)
            span.end()
            throw error
        }
        let took = ContinuousClock.now - started
        instruments.claimed(claim, span: span)
        var dispatched = 0
        if !claim.dispatches.isEmpty {
            let dispatching = telemetry.tracer.startSpan("dispatch")
            let (queued, queries) = try await dispatch(claim.dispatches)
            dispatched = queued
            dispatching.updateAttributes { attributes in
                attributes[MeasurementField.itemCount] = claim.dispatches.count
                attributes[MeasurementField.dbQueries] = queries
            }
            dispatching.end()
        }
        log(claim.internalActions)
        let dropped = events?.publish(claimEvents, traces: traces) ?? 0
        counters.withLock {
            $0.claims += 1
            if organizations != nil { $0.followUpClaims += 1 }
            $0.claimTime += took
            $0.longestClaim = max($0.longestClaim, took)
            $0.dispatched += dispatched
            $0.internalActions += claim.internalCount
            $0.suppressed += claim.suppressedCount
            $0.held += claim.heldCount
            $0.throttledQueues += claim.throttled.count
            $0.eventsDropped += dropped
        }
        return claim
    }

    var workQueueSettings: WorkQueue.Settings {
        WorkQueue.Settings(
            lease: configuration.lease, defaultMaxAttempts: configuration.defaultMaxAttempts,
            limits: configuration.organizationLimits, leaseGrace: configuration.leaseGrace)
    }

    /// Waits `delay` after a failure; only stopping cuts it short (results and NOTIFY ring the doorbell too, and
    /// must not turn the back-off into a busy retry).
    private func backOff(_ delay: Duration) async {
        let deadline = ContinuousClock.now + delay
        while !gate.isClosed, ContinuousClock.now < deadline {
            await doorbell.wait(timeout: ContinuousClock.now.duration(to: deadline))
        }
    }

    /// Claims, right after their transaction, the actions `results` made due: the queues of the organizations
    /// with successes among them, at most as many actions as succeeded (each success makes at most one next
    /// action due). Without it a tenant's next action waits for the claim loop — for the rest of whatever
    /// claim of everyone's backlog is running at the commit, then for the next one. The claim is a normal
    /// fair claim (shares, limits, tokens, `SKIP LOCKED`), restricted to those organizations, so it can run
    /// beside the claim loop; whatever it leaves, the claim loop takes. Only while organizations compete: a
    /// tenant alone waits only behind its own work, and the claim the doorbell starts takes it as well.
    /// Organizations with a backlog are left to the claim loop: a follow-up claim would take their oldest due
    /// actions, not the ones just made due, and would only add claims to the path their results take
    /// (docs/tenants.md).
    func claimFollowUps(of results: [DecodedResult]) async {
        let skipped = backlogged.withLock { $0 }
        let succeeded = results.compactMap { result -> String? in
            guard case .succeeded = result.outcome.kind, let org = result.org, !skipped.contains(org) else { return nil }
            return org
        }
        await claimFollowUps(for: Set(succeeded), limit: succeeded.count)
    }

    /// A follow-up claim of at most `limit` actions for `organizations`, leaving out those with a backlog.
    /// Also run when ingest's `NOTIFY` names the organizations whose enrolls or replies it committed.
    func claimFollowUps(for organizations: Set<String>, limit: Int) async {
        guard configuration.followUpClaims, isCompeting, !gate.isClosed, followUpPermits.enter() else { return }
        defer { followUpPermits.leave() }
        let orgs = organizations.subtracting(backlogged.withLock { $0 }).sorted()
        guard !orgs.isEmpty, limit > 0 else { return }
        let limit = min(limit, configuration.claimBatch)
        do {
            // Its own `backlogged` is not kept: its batch is sized to what was made due, so it fills shares.
            _ = try await claimOnce(limit: limit, sharedLimit: limit, excluding: saturatedTypes, organizations: orgs)
        } catch {
            counters.withLock { $0.failedTransactions += 1 }
            logger.warning(
                "follow-up claim failed; the claim loop takes its actions",
                metadata: ["organizations": "\(orgs)", "error": "\(error)"])
        }
    }
}
