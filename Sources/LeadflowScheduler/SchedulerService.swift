import Foundation
import LeadflowBus
import LeadflowDomain
import LeadflowProto
import LeadflowServiceKit
import LeadflowStore
import LeadflowTelemetry
import Logging
import Postgres
import ServiceLifecycle
import Synchronization
import Tracing
import ZeroMQ

/// The scheduler: claims due actions in batches, runs internal ones in SQL, pushes external ones to their
/// type's handlers and applies handler results in batches. Several schedulers may share a database; the
/// claim's `FOR UPDATE SKIP LOCKED` keeps them from dispatching an action twice.
///
/// It wakes on ingest's `NOTIFY`, on results, at the next due time, and at least every idle interval.
public final class SchedulerService: Service, Sendable {
    /// Counters since start.
    public struct Statistics: Sendable, Equatable {
        public var claims = 0
        /// Of ``claims``, follow-up claims: right after a result transaction or a wake-up, for the
        /// organizations it named.
        public var followUpClaims = 0
        /// Time spent in claim transactions, summed.
        public var claimTime: Duration = .zero
        /// The longest claim transaction.
        public var longestClaim: Duration = .zero
        public var dispatched = 0
        public var internalActions = 0
        /// External actions canceled at the claim because their channel is suppressed for the lead.
        public var suppressed = 0
        /// Queues (organization and type) an organization's limits held back, summed over claims.
        public var throttledQueues = 0
        public var results = 0
        public var undecodableResults = 0
        public var failedTransactions = 0
        public var eventsDropped = 0
    }

    let configuration: SchedulerConfiguration
    let database: PostgresClient
    let dispatchers: [ActionType: TypeDispatcher]
    let results: BusPuller
    let events: LeadEventPublisher?
    /// Receipts for applied results; nil when `receiptsEndpoint` is off.
    let receipts: ReceiptPublisher?
    let logger: Logger
    let telemetry: Telemetry
    let instruments: SchedulerInstruments
    let doorbell = Doorbell()
    let gate = ShutdownGate()
    /// How long to wait before trying the database again after consecutive failures: 100 ms doubling to 5 s.
    static let databaseBackoff = PostgresRetryPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(5))
    private let counters = Mutex(Statistics())
    private let configs = Mutex([Int: Leadflow_V1_Action]())
    /// Until when claims take the shared batch because a claim or a result batch saw several organizations
    /// recently: a tenant whose actions are out with handlers has nothing due, yet still competes.
    private let competingUntil = Mutex<ContinuousClock.Instant?>(nil)
    /// Organizations the last claim found with a backlog (``WorkQueue/Claim/backlogged``): no follow-up claims
    /// for them (their next action waits behind their own older ones; the claim loop takes them).
    private let backlogged = Mutex<Set<String>>([])
    /// Follow-up claims in progress, waited for before the dispatchers finish.
    private let followUpPermits = ClaimPermits()

    private init(
        configuration: SchedulerConfiguration, database: PostgresClient, dispatchers: [ActionType: TypeDispatcher],
        results: BusPuller, events: LeadEventPublisher?, receipts: ReceiptPublisher?, logger: Logger,
        telemetry: Telemetry
    ) {
        self.receipts = receipts
        self.telemetry = telemetry
        self.instruments = SchedulerInstruments(telemetry: telemetry)
        self.configuration = configuration
        self.database = database
        self.dispatchers = dispatchers
        self.results = results
        self.events = events
        self.logger = logger
    }

    /// Binds the sockets; nothing is claimed before ``run()``. `telemetry` measures claims, dispatches, results
    /// and the queue's gauges (give `database` its ``Telemetry/databaseObserver`` for the round trips).
    /// `socketOptions` are every bound socket's (CURVE server keys, with the context's ZAP handler started first).
    public static func start(
        configuration: SchedulerConfiguration, database: PostgresClient, context: ZMQContext, logger: Logger,
        telemetry: Telemetry = .disabled, socketOptions: SocketOptions = SocketOptions()
    ) async throws -> SchedulerService {
        var dispatchers: [ActionType: TypeDispatcher] = [:]
        // Few dispatches queued per connected handler: libzmq gives each handler's connection a queue of its own,
        // discarded when that handler goes, and work queued there waits for that handler alone.
        var dispatchOptions = socketOptions
        dispatchOptions.sendHighWaterMark = Int32(clamping: configuration.dispatchHighWaterMark)
        for (type, endpoint) in configuration.dispatchEndpoints {
            // A small outbox, so dispatches wait in the dispatcher's queue, where saturation is measured.
            let pusher = try await BusPusher.start(
                context: context, name: "scheduler.\(type.rawValue)", endpoints: [.bind(endpoint)],
                options: dispatchOptions, outboxCapacity: configuration.claimBatch, logger: logger)
            dispatchers[type] = TypeDispatcher(pusher: pusher, limit: configuration.dispatchQueueLimit, logger: logger)
        }
        let results = try await BusPuller.start(
            context: context, name: "scheduler.results", endpoints: [.bind(configuration.resultsEndpoint)],
            options: socketOptions, logger: logger)
        var events: LeadEventPublisher?
        if let endpoint = configuration.eventsEndpoint {
            let publisher = try await BusPublisher.start(
                context: context, name: "scheduler.events", endpoints: [.bind(endpoint)], options: socketOptions,
                logger: logger)
            events = LeadEventPublisher(publisher: publisher, logger: logger)
        }
        var receipts: ReceiptPublisher?
        if let endpoint = configuration.receiptsEndpoint, !endpoint.isEmpty {
            let publisher = try await BusPublisher.start(
                context: context, name: "scheduler.receipts", endpoints: [.bind(endpoint)], options: socketOptions,
                logger: logger)
            receipts = ReceiptPublisher(publisher: publisher, logger: logger)
        }
        return SchedulerService(
            configuration: configuration, database: database, dispatchers: dispatchers, results: results,
            events: events, receipts: receipts, logger: logger, telemetry: telemetry)
    }

    public var statistics: Statistics { counters.withLock { $0 } }

    /// The endpoint handlers of `type` connect to (a `tcp://…:*` port resolved).
    public func dispatchEndpoint(for type: ActionType) async throws -> String? {
        try await dispatchers[type]?.pusher.boundEndpoint()
    }

    public func resultsEndpoint() async throws -> String { try await results.boundEndpoint() }

    /// The lead events' PUB endpoint actually bound; `nil` when events are off.
    public func eventsEndpoint() async throws -> String? { try await events?.boundEndpoint() }

    /// The receipts' PUB endpoint actually bound; `nil` when receipts are off.
    public func receiptsEndpoint() async throws -> String? { try await receipts?.publisher.boundEndpoint() }

    /// Schedules until graceful shutdown: then it stops claiming, pushes what it claimed, applies the results
    /// in hand and closes its sockets. Actions still out with handlers come back when their leases expire.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for dispatcher in dispatchers.values { group.addTask { await dispatcher.run() } }
                group.addTask { await self.applyResults() }
                let listening = Task { await self.listenForWakeups() }
                let sampling = Task { await self.sampleGauges() }
                await claimLoop()
                listening.cancel()
                sampling.cancel()
                await followUpPermits.closeAndWait()
                // Push what was claimed for up to a second; closing also releases a dispatcher stuck on a
                // type without handlers (its actions come back when their leases expire).
                for dispatcher in dispatchers.values {
                    dispatcher.finish()
                    group.addTask { await dispatcher.pusher.close(drainTimeout: .seconds(1)) }
                }
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
        await events?.close()
        await receipts?.close()
    }

    /// Stops claiming and stops taking results; ``run()`` returns once what was claimed has been pushed.
    public func shutdown() {
        stopClaiming()
        Task { await results.close() }
    }

    /// Stops claiming but keeps applying results, so handlers in the same process can drain first.
    public func stopClaiming() {
        gate.close()
        doorbell.ring()
    }

    // MARK: Claiming

    private func claimLoop() async {
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
    private func noteCompeting() {
        let until = ContinuousClock.now + configuration.idleInterval
        competingUntil.withLock { $0 = until }
    }

    /// One claim transaction, its dispatches handed to the type dispatchers.
    private func claimOnce(
        limit: Int, sharedLimit: Int, excluding excluded: Set<ActionType>, organizations: [String]? = nil
    ) async throws -> WorkQueue.Claim {
        let settings = workQueueSettings
        let recording = events != nil
        let started = ContinuousClock.now
        let span = telemetry.tracer.startSpan("claim")
        let claim: WorkQueue.Claim
        let claimEvents: [Leadflow_V1_LeadEvent]
        let traces: [Int: TraceParent]
        do {
            (claim, claimEvents, traces) = try await database.withTransaction { connection in
                var events = LeadEventLog(recording: recording)
                let claim = try WorkQueue.claim(
                    limit: limit, sharedLimit: sharedLimit, excluding: excluded, organizations: organizations,
                    settings: settings, events: &events, on: connection)
                return (claim, events.take(), events.traces)
            }
        } catch {
            span.recordError(error)
            span.end()
            throw error
        }
        let took = ContinuousClock.now - started
        instruments.claimed(claim, span: span)
        if !claim.dispatches.isEmpty {
            let dispatching = telemetry.tracer.startSpan("dispatch")
            let queries = try await dispatch(claim.dispatches)
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
            $0.dispatched += claim.dispatches.count
            $0.internalActions += claim.internalCount
            $0.suppressed += claim.suppressedCount
            $0.throttledQueues += claim.throttled.count
            $0.eventsDropped += dropped
        }
        return claim
    }

    private var workQueueSettings: WorkQueue.Settings {
        WorkQueue.Settings(
            lease: configuration.lease, defaultMaxAttempts: configuration.defaultMaxAttempts,
            limits: configuration.organizationLimits, leaseGrace: configuration.leaseGrace)
    }

    /// Builds and queues the dispatches; returns the statements run (loading configs not seen before).
    private func dispatch(_ actions: [ClaimedAction]) async throws -> Int {
        let missing = Set(actions.map(\.pipelineActionID)).subtracting(configs.withLock { Set($0.keys) })
        if !missing.isEmpty {
            let loaded = try await database.withConnection { connection in
                try await connection.actionConfigs(Array(missing))
            }
            configs.withLock { $0.merge(loaded) { _, new in new } }
        }
        let known = configs.withLock { configs in actions.map { configs[$0.pipelineActionID] } }
        let now = Date()
        let deadline = now.addingTimeInterval(Double(configuration.lease.components.seconds))
        var byType: [ActionType: [Envelope]] = [:]
        for (action, config) in zip(actions, known) {
            let metadata: Logger.Metadata = [
                "action.id": "\(action.actionID)", TraceParent.logMetadataKey: "\(action.trace.traceID)",
            ]
            guard let config else {
                logger.error("no config for a claimed action", metadata: metadata)
                continue
            }
            do {
                byType[action.type, default: []].append(
                    try action.dispatchEnvelope(config: config, deadline: deadline, now: now))
            } catch {
                logger.error("dispatch not encoded", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        }
        for (type, envelopes) in byType {
            guard let dispatcher = dispatchers[type] else {
                logger.error("no dispatcher for claimed actions", metadata: ["action.type": "\(type.rawValue)"])
                continue
            }
            dispatcher.enqueue(envelopes)
        }
        return missing.isEmpty ? 0 : 1
    }

    /// Waits `delay` after a failure; only stopping cuts it short (results and NOTIFY ring the doorbell too, and
    /// must not turn the back-off into a busy retry).
    private func backOff(_ delay: Duration) async {
        let deadline = ContinuousClock.now + delay
        while !gate.isClosed, ContinuousClock.now < deadline {
            await doorbell.wait(timeout: ContinuousClock.now.duration(to: deadline))
        }
    }

    // MARK: Results

    private func applyResults() async {
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
    private func claimFollowUps(of results: [DecodedResult]) async {
        let skipped = backlogged.withLock { $0 }
        let succeeded = results.compactMap { result -> String? in
            guard case .succeeded = result.outcome.kind, let org = result.org, !skipped.contains(org) else { return nil }
            return org
        }
        await claimFollowUps(for: Set(succeeded), limit: succeeded.count)
    }

    /// A follow-up claim of at most `limit` actions for `organizations`, leaving out those with a backlog.
    /// Also run when ingest's `NOTIFY` names the organizations whose enrolls or replies it committed.
    private func claimFollowUps(for organizations: Set<String>, limit: Int) async {
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

    /// A handler's result as the scheduler applies it.
    private struct DecodedResult: Sendable {
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
        let outcomes = results.map(\.outcome)
        var attempt = 0
        while true {
            attempt += 1
            let span = telemetry.tracer.startSpan("result_apply")
            do {
                let (resultEvents, eventTraces, applied, queries) = try await database.withTransaction {
                    [outcomes] connection in
                    var events = LeadEventLog(recording: recording)
                    let before = connection.roundTrips
                    let applied = try WorkQueue.apply(outcomes, settings: settings, events: &events, on: connection)
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

    // MARK: Logging

    /// One debug line per internal action a claim or a result transaction ran, with its trace.
    private func log(_ internalActions: [InternalAction]) {
        guard logger.logLevel <= .debug else { return }
        for action in internalActions {
            logger.debug(
                "internal action run",
                metadata: [
                    "action.id": "\(action.actionID)", "action.type": "\(action.type.rawValue)",
                    "org.id": "\(action.org)", "lead.id": "\(action.leadID)",
                    TraceParent.logMetadataKey: "\(action.trace.traceID)",
                ])
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

    // MARK: Wake-ups

    private func listenForWakeups() async {
        guard configuration.listen else { return }
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: database.configuration, logger: logger)
                try await connection.listen(SchedulerWakeup.channel)
                failures = 0
                while !Task.isCancelled {
                    let notifications = try await connection.waitForNotifications(timeout: .seconds(30))
                    guard !notifications.isEmpty else { continue }
                    doorbell.ring()
                    let named = Set(notifications.flatMap { SchedulerWakeup.organizations(in: $0.payload) })
                    if named.count > 1 { noteCompeting() }
                    await claimFollowUps(for: named, limit: configuration.sharedClaimBatch)
                }
                await connection.close()
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                let delay = Self.databaseBackoff.delay(afterAttempt: failures)
                logger.warning("listening for wake-ups failed; retrying", metadata: ["error": "\(error)", "retry.in": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
    }
}

extension PostgresConnection {
    fileprivate func actionConfigs(_ ids: [Int]) throws -> [Int: Leadflow_V1_Action] {
        try WorkQueue.actionConfigs(ids, on: self)
    }
}
