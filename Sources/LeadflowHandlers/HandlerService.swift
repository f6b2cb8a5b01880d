import Foundation
import LeadflowBus
import LeadflowDomain
import LeadflowProto
import LeadflowTelemetry
import Logging
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// A handler service for one action type: pulls `action.<type>` dispatches, delivers each with its driver — many
/// at once, up to `maxInFlight`, so a slow provider call holds up only its own lead — and pushes one
/// `result.<type>` per dispatch, in batches. A circuit breaker per provider endpoint snoozes dispatches while that
/// provider keeps failing, and a delivery still running late in its lease is reported IN_PROGRESS so the
/// scheduler extends the lease.
///
/// On graceful shutdown (`shutdown()`, or the `ServiceGroup`'s signal) it stops pulling, hands back the dispatches
/// it had taken in but not started, lets the deliveries in flight finish for at most `drainTimeout`, pushes their
/// results and closes its sockets. Cancelling the task that runs it stops the same way but cancels the
/// deliveries in flight at once; they still report (`retry`, class `canceled`).
public final class HandlerService: Service, Sendable {
    let configuration: Configuration
    let driver: any DeliveryDriver
    let logger: Logger
    let puller: BusPuller
    let pusher: BusPusher
    let counters = Mutex(HandlerStatistics())
    let gate = Mutex(Gate())
    /// One circuit breaker per provider endpoint; nil when the configuration has none.
    let breakers: CircuitBreakers?
    let telemetry: Telemetry
    let instruments: HandlerInstruments
    /// The opt-outs heard from ingest, and the socket they come in on; nil without `suppressionEndpoints`.
    let suppressions: (watch: SuppressionWatch, subscriber: BusSubscriber)?
    /// The results waiting for a receipt, and the socket receipts come in on; nil without `receiptEndpoints`.
    let receipts: (pending: UnconfirmedResults, subscriber: BusSubscriber)?

    /// Whether a shutdown was asked for, and the pull loop it must then stop.
    struct Gate {
        var closed = false
        var pulling: Task<Void, Never>?
    }

    private init(
        configuration: Configuration, driver: any DeliveryDriver, logger: Logger, puller: BusPuller, pusher: BusPusher,
        telemetry: Telemetry, suppressions: (watch: SuppressionWatch, subscriber: BusSubscriber)?,
        receipts: (pending: UnconfirmedResults, subscriber: BusSubscriber)?
    ) {
        self.suppressions = suppressions
        self.receipts = receipts
        self.telemetry = telemetry
        self.instruments = HandlerInstruments(telemetry: telemetry, actionType: configuration.actionType)
        self.configuration = configuration
        self.driver = driver
        self.logger = logger
        self.puller = puller
        self.pusher = pusher
        breakers = configuration.breaker.map(CircuitBreakers.init(policy:))
    }

    /// Validates the configuration and connects both sockets; nothing is pulled before `run()`. `logger` gets
    /// every line the service writes, with `handler.id` and `action.type` attached; `telemetry` (component
    /// `<type>_handler`) measures deliveries, step lags and breakers.
    public static func start(
        context: ZMQContext, configuration: Configuration, driver: any DeliveryDriver, logger: Logger,
        telemetry: Telemetry = .disabled
    ) async throws -> HandlerService {
        try configuration.validate()
        var logger = logger
        logger[metadataKey: HandlerLogKey.handlerID] = "\(configuration.handlerID)"
        logger[metadataKey: HandlerLogKey.actionType] = "\(configuration.actionType.rawValue)"
        let type = configuration.actionType.rawValue
        // Read ahead no more than the handler can start soon: the rest stays with the scheduler's socket, whence
        // another handler can take it, and no lease runs out in this one's buffers.
        var dispatchOptions = configuration.socketOptions
        dispatchOptions.receiveHighWaterMark = Int32(clamping: configuration.effectiveReadAhead)
        var opened: [BusSubscriber] = []
        let puller = try await BusPuller.start(
            context: context, name: "handler.\(type).dispatches", endpoints: configuration.actionEndpoints,
            options: dispatchOptions, inboxCapacity: configuration.effectiveReadAhead,
            // At shutdown, what is on its way is handed back too, rather than left to wait for its lease: what
            // libzmq holds, the TCP buffers, and the scheduler's queue for this connection (64 by default).
            finalReadLimit: configuration.effectiveReadAhead + 1_024, logger: logger)
        var pusher: BusPusher?
        do {
            let results = try await BusPusher.start(
                context: context, name: "handler.\(type).results", endpoints: configuration.resultEndpoints,
                options: configuration.socketOptions, logger: logger)
            pusher = results
            var suppressions: (watch: SuppressionWatch, subscriber: BusSubscriber)?
            if !configuration.suppressionEndpoints.isEmpty {
                let subscriber = try await BusSubscriber.start(
                    context: context, name: "handler.\(type).opt-outs", endpoints: configuration.suppressionEndpoints,
                    patterns: [try SubjectPattern("lead.unsubscribed.*"), try SubjectPattern("lead.resubscribed.*")],
                    options: configuration.socketOptions, logger: logger)
                opened.append(subscriber)
                suppressions = (SuppressionWatch(retention: configuration.suppressionRetention), subscriber)
            }
            var receipts: (pending: UnconfirmedResults, subscriber: BusSubscriber)?
            if !configuration.receiptEndpoints.isEmpty {
                let subscriber = try await BusSubscriber.start(
                    context: context, name: "handler.\(type).receipts", endpoints: configuration.receiptEndpoints,
                    patterns: [try SubjectPattern(configuration.receiptSubject)], options: configuration.socketOptions,
                    logger: logger)
                opened.append(subscriber)
                receipts = (
                    UnconfirmedResults(
                        firstResend: configuration.receiptTimeout, retention: configuration.resultRetention),
                    subscriber
                )
            }
            return HandlerService(
                configuration: configuration, driver: driver, logger: logger, puller: puller, pusher: results,
                telemetry: telemetry, suppressions: suppressions, receipts: receipts)
        } catch {
            for subscriber in opened { await subscriber.close() }
            await pusher?.close()
            await puller.close()
            throw error
        }
    }

    /// What the service has done so far.
    /// The type of the actions this handler delivers.
    public var actionType: ActionType { configuration.actionType }

    public var statistics: HandlerStatistics {
        var statistics = counters.withLock { $0 }
        statistics.unconfirmed = receipts?.pending.count ?? 0
        return statistics
    }

    /// Pulls and delivers until shut down or cancelled (see the type's description), then closes the sockets.
    /// Call it once.
    public func run() async throws {
        let outbox = ResultOutbox()
        restoreSpooledResults(into: outbox)
        // Sampling gauges, hearing opt-outs and receipts, and pushing again the results no receipt came for are
        // child tasks, cancelled once the service has stopped.
        await withDiscardingTaskGroup { background in
            background.addTask { await self.sampleGauges() }
            background.addTask { await self.hearOptOuts() }
            background.addTask { await self.hearReceipts() }
            background.addTask { await self.resendUnconfirmed(into: outbox) }
            await serve(outbox: outbox)
            background.cancelAll()
        }
    }

    /// What ``run()`` does besides its background loops (gauges, opt-outs, receipts, pushing results again). The sender and the deliveries are tasks of their
    /// own, out of reach of the caller's cancellation: the results of deliveries it cancels must still go out.
    private func serve(outbox: ResultOutbox) async {
        logger.info(
            "handler started",
            metadata: [
                "endpoints.actions": "\(configuration.actionEndpoints)",
                "endpoints.results": "\(configuration.resultEndpoints)",
                "max_in_flight": "\(configuration.maxInFlight)",
            ])
        let sender = Task { await self.pushResults(from: outbox) }
        let leases = LeaseKeeper { lease in self.reportInProgress(lease, outbox: outbox) }
        let slots = DeliverySlots(configuration.maxInFlight)
        let (dispatches, feed) = AsyncStream.makeStream(of: Envelope.self)
        // Deliveries run in a task of their own, out of reach of the caller's cancellation until it is passed on
        // deliberately, so that a graceful shutdown drains them instead of cutting them off.
        let deliveries = Task {
            await withDiscardingTaskGroup { group in
                for await envelope in dispatches {
                    group.addTask {
                        await self.handle(envelope, outbox: outbox, leases: leases)
                        slots.release(1)
                    }
                }
            }
        }
        let pulling = Task { await self.pull(slots: slots, into: feed) }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                startedPulling(pulling)
                await pulling.value
            } onCancel: {
                pulling.cancel()
            }
        } onGracefulShutdown: {
            self.shutdown()
        }

        // Take no more work, hand back what was taken in but not started, finish (or cancel) what is in
        // flight, send every result, close.
        feed.finish()
        await puller.close()
        _ = await handBackUnstarted(outbox: outbox)
        await withTaskCancellationHandler {
            await drain(deliveries)
        } onCancel: {
            deliveries.cancel()
        }
        leases.close()
        await settleUnconfirmed()
        outbox.finish()
        await flush(sender)
        await suppressions?.subscriber.close()
        await receipts?.subscriber.close()
        logger.info("handler stopped", metadata: Self.metadata(statistics))
    }

    /// Stops pulling; `run()` returns once the deliveries in flight have finished (or `drainTimeout` passed)
    /// and their results are pushed.
    public func shutdown() {
        let pulling = gate.withLock { gate in
            gate.closed = true
            return gate.pulling
        }
        pulling?.cancel()
    }

    private func startedPulling(_ task: Task<Void, Never>) {
        let closed = gate.withLock { gate in
            gate.pulling = task
            return gate.closed
        }
        if closed { task.cancel() }
    }

    /// Pulls as many dispatches as there are free slots, each time; ends when cancelled or the socket closes.
    private func pull(slots: DeliverySlots, into feed: AsyncStream<Envelope>.Continuation) async {
        while !Task.isCancelled {
            let free = await slots.takeFree()
            guard free > 0 else { return }
            let batch = await puller.nextBatch(max: free)
            slots.release(free - batch.count)
            guard !batch.isEmpty else { return }
            for envelope in batch { feed.yield(envelope) }
        }
    }

    /// Waits for the deliveries in flight; after `drainTimeout` cancels them, which ends each with a result.
    private func drain(_ deliveries: Task<Void, Never>) async {
        let inFlight = statistics.inFlight
        if inFlight > 0 {
            logger.info("draining deliveries in flight", metadata: ["in_flight": "\(inFlight)"])
        }
        let deadline = Task {
            try? await Task.sleep(for: configuration.drainTimeout)
            guard !Task.isCancelled else { return }
            logger.warning(
                "deliveries still in flight after the drain timeout; cancelling them",
                metadata: ["in_flight": "\(statistics.inFlight)"])
            deliveries.cancel()
        }
        await deliveries.value
        deadline.cancel()
    }

    /// Pushes results in batches as they gather, until the outbox is finished and empty.
    private func pushResults(from outbox: ResultOutbox) async {
        while true {
            let batch = await outbox.nextBatch(max: configuration.resultBatchSize)
            guard !batch.isEmpty else { return }
            do {
                try await pusher.push(contentsOf: batch)
            } catch {
                counters.withLock { $0.resultsLost += batch.count }
                logger.error(
                    "results could not be pushed; their actions are dispatched again when the lease ends",
                    metadata: ["count": "\(batch.count)", HandlerLogKey.error: "\(error)"])
            }
        }
    }

    /// Waits for the last results to be handed to the socket and sent, for at most `resultFlushTimeout` each.
    private func flush(_ sender: Task<Void, Never>) async {
        // With no scheduler connected the socket's outbox can fill and the sender wait for room forever; closing
        // the socket after the flush time releases it (what is left is re-dispatched when its lease ends).
        let deadline = Task {
            try? await Task.sleep(for: configuration.resultFlushTimeout)
            if !Task.isCancelled { await pusher.close(drainTimeout: .zero) }
        }
        await sender.value
        deadline.cancel()
        await pusher.close(drainTimeout: configuration.resultFlushTimeout)
    }

    static func metadata(_ statistics: HandlerStatistics) -> Logger.Metadata {
        [
            "delivered": "\(statistics.delivered)", "retried": "\(statistics.retried)",
            "failed": "\(statistics.failed)", "snoozed": "\(statistics.snoozed)",
            "undecodable": "\(statistics.undecodable)", "results_lost": "\(statistics.resultsLost)",
            "handed_back": "\(statistics.handedBack)", "expired": "\(statistics.expired)",
            "lease_extensions": "\(statistics.leaseExtensions)", "breakers_opened": "\(statistics.breakersOpened)",
            "results_resent": "\(statistics.resultsResent)", "results_given_up": "\(statistics.resultsGivenUp)",
            "results_spooled": "\(statistics.resultsSpooled)", "results_restored": "\(statistics.resultsRestored)",
        ]
    }
}
