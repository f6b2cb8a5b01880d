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
        /// External actions claimed and handed to their type's dispatcher.
        public var dispatched = 0
        /// Claimed actions put back to pending because they could not be dispatched (no config, no dispatcher
        /// for their type, a dispatch that does not encode).
        public var undispatched = 0
        public var internalActions = 0
        /// External actions canceled at the claim because their channel is suppressed for the lead.
        public var suppressed = 0
        /// Due actions of paused pipelines the claims held instead of running (docs/operations.md, "Pausing").
        public var held = 0
        /// Queues (organization and type) an organization's limits held back, summed over claims.
        public var throttledQueues = 0
        public var results = 0
        public var undecodableResults = 0
        public var failedTransactions = 0
        public var eventsDropped = 0
        /// Times the wake-up connection started listening (`LISTEN leadflow_due`): 1 once it is up, more after
        /// reconnects.
        public var wakeupListens = 0
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
    /// How long a claimed action that could not be dispatched waits before it is due again: long enough that a
    /// cause that lasts (a type this scheduler has no dispatcher for) does not make claims spin on it.
    static let undispatchedDelay: Duration = .seconds(5)
    let counters = Mutex(Statistics())
    /// Action configs by pipeline action id, bounded by ``SchedulerConfiguration/actionConfigCacheSize``.
    let configs: Mutex<LeastRecentlyUsed<Int, Leadflow_V1_Action>>
    /// Until when claims take the shared batch because a claim or a result batch saw several organizations
    /// recently: a tenant whose actions are out with handlers has nothing due, yet still competes.
    let competingUntil = Mutex<ContinuousClock.Instant?>(nil)
    /// Organizations the last claim found with a backlog (``WorkQueue/Claim/backlogged``): no follow-up claims
    /// for them (their next action waits behind their own older ones; the claim loop takes them).
    let backlogged = Mutex<Set<String>>([])
    /// Follow-up claims in progress, waited for before the dispatchers finish.
    let followUpPermits = ClaimPermits()

    private init(
        configuration: SchedulerConfiguration, database: PostgresClient, dispatchers: [ActionType: TypeDispatcher],
        results: BusPuller, events: LeadEventPublisher?, receipts: ReceiptPublisher?, logger: Logger,
        telemetry: Telemetry
    ) {
        self.receipts = receipts
        self.telemetry = telemetry
        self.instruments = SchedulerInstruments(telemetry: telemetry)
        self.configs = Mutex(LeastRecentlyUsed(capacity: max(1, configuration.actionConfigCacheSize)))
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
                // Listening for wake-ups and sampling gauges serve the claim loop: children of a group of their
                // own, cancelled (and waited for) when it stops, while the dispatchers and results go on.
                await withDiscardingTaskGroup { claiming in
                    claiming.addTask { await self.listenForWakeups() }
                    claiming.addTask { await self.sampleGauges() }
                    claiming.addTask { await self.maintainHistory() }
                    await claimLoop()
                    claiming.cancelAll()
                }
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

    // MARK: Logging

    /// One debug line per internal action a claim or a result transaction ran, with its trace.
    func log(_ internalActions: [InternalAction]) {
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
}
