import LeadflowBus
import LeadflowCurve
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

/// The ingest service: takes batches of client messages from its ROUTER socket, answers what is invalid at
/// once, writes the rest in one transaction per batch and acknowledges them after the commit, then
/// publishes the lead events.
public final class IngestService: Service, Sendable {
    /// Counters since start.
    public struct Statistics: Sendable, Equatable {
        public var batches = 0
        public var applied = 0
        public var duplicates = 0
        public var rejected = 0
        /// Batches left unanswered because the database kept failing.
        public var failedBatches = 0
        public var eventsDropped = 0
        /// Messages whose `Traceparent` was not valid: accepted, with a new trace in its place.
        public var invalidTraceparents = 0
        /// Of ``rejected``, messages for an organization their client's CURVE key is not bound to.
        public var unauthorized = 0
    }

    let configuration: IngestConfiguration
    let database: PostgresClient
    let responder: AckResponder
    let events: LeadEventPublisher?
    let logger: Logger
    let gate = ShutdownGate()
    let decoder = IngestDecoder()
    let writer: IngestWriter
    let telemetry: Telemetry
    let instruments: IngestInstruments
    /// With CURVE, who the clients are and which organizations each may publish for.
    let authenticator: BusAuthenticator?
    private let counters = Mutex(Statistics())

    private init(
        configuration: IngestConfiguration, database: PostgresClient, responder: AckResponder,
        events: LeadEventPublisher?, logger: Logger, telemetry: Telemetry, authenticator: BusAuthenticator?
    ) {
        self.authenticator = authenticator
        self.telemetry = telemetry
        self.instruments = IngestInstruments(telemetry: telemetry)
        self.configuration = configuration
        self.database = database
        self.responder = responder
        self.events = events
        self.logger = logger
        self.writer = IngestWriter(
            defaultMaxAttempts: configuration.defaultMaxAttempts, recordEvents: events != nil,
            keepsHistory: configuration.keepsHistory)
    }

    /// Binds the sockets; the service takes messages once ``run()`` is called. `telemetry` measures batch
    /// commits and messages by outcome (give `database` its ``Telemetry/databaseObserver`` for the round trips).
    ///
    /// With CURVE in `security`, both sockets are CURVE servers and `authenticator` — the context's ZAP
    /// handler, started first — must be given: it admits clients, and each message's organization is checked
    /// against its client's key (`-ERR Not Authorized`).
    public static func start(
        configuration: IngestConfiguration, database: PostgresClient, context: ZMQContext, logger: Logger,
        telemetry: Telemetry = .disabled, security: BusSecurity = .plaintext, authenticator: BusAuthenticator? = nil
    ) async throws -> IngestService {
        if security.isCurve && authenticator == nil {
            throw CurveKeyError(.missing, path: "bus.curve_allow", "a CURVE ingest needs the ZAP handler of its allow-list")
        }
        let responder = try await AckResponder.start(
            context: context, name: "ingest.router", endpoints: [.bind(configuration.endpoint)],
            options: security.publishBindOptions, logger: logger)
        var events: LeadEventPublisher?
        if let endpoint = configuration.eventsEndpoint {
            let publisher = try await BusPublisher.start(
                context: context, name: "ingest.events", endpoints: [.bind(endpoint)], options: security.bindOptions,
                logger: logger)
            events = LeadEventPublisher(publisher: publisher, logger: logger)
        }
        return IngestService(
            configuration: configuration, database: database, responder: responder, events: events, logger: logger,
            telemetry: telemetry, authenticator: security.isCurve ? authenticator : nil)
    }

    /// Refused handshakes on the ROUTER socket (plaintext peers, keys not on the allow-list).
    public var refusedHandshakes: Int { responder.socketStatistics.handshakeFailures }

    public var statistics: Statistics { counters.withLock { $0 } }

    /// The ROUTER endpoint actually bound (`tcp://…:*` resolved).
    public func boundEndpoint() async throws -> String { try await responder.boundEndpoint() }

    /// The lead events' PUB endpoint actually bound; `nil` when events are off.
    public func eventsEndpoint() async throws -> String? { try await events?.boundEndpoint() }

    /// Serves until graceful shutdown (or cancellation): then stops taking messages, finishes the batch in
    /// hand, flushes its acks and closes the sockets.
    public func run() async throws {
        let pruning = Task { await pruneDeduplicationLog() }
        let sampling = Task { await ProcessSampler(telemetry: telemetry).run() }
        defer { sampling.cancel() }
        await withGracefulShutdownHandler {
            while let batch = await gate.receive({ [responder, configuration] in
                await responder.nextBatch(max: configuration.maxBatch)
            }), !batch.isEmpty {
                await handle(batch)
            }
        } onGracefulShutdown: {
            self.gate.close()
        }
        pruning.cancel()
        await responder.close()
        await events?.close()
    }

    /// Stops taking messages; ``run()`` returns once the batch in hand is answered.
    public func shutdown() { gate.close() }

    func handle(_ requests: [AckResponder.Request]) async {
        var messages: [IngestMessage] = []
        var peers: [[UInt8]] = []
        var rejected = 0
        var invalidTraceparents = 0
        var unauthorized = 0
        for request in requests {
            switch decoder.decode(request.envelope).flatMap({ authorize($0, userID: request.userID) }) {
            case .success(let message):
                messages.append(message)
                peers.append(request.peer)
                if message.hasInvalidTraceparent {
                    // W3C: a traceparent that does not parse is ignored and a new trace started; the publisher's
                    // tracing is broken, not its message, so nothing is rejected.
                    invalidTraceparents += 1
                    logger.debug(
                        "invalid traceparent replaced by a new trace",
                        metadata: [
                            "msg.id": "\(message.msgID)", "traceparent": "\(message.traceparent?.prefix(64) ?? "")",
                            TraceParent.logMetadataKey: "\(message.trace.traceID)",
                        ])
                }
            case .failure(let rejection):
                rejected += 1
                if rejection.reason == .notAuthorized { unauthorized += 1 }
                logger.info(
                    "message rejected",
                    metadata: ["reason": "\(rejection.reason.rawValue)", "detail": "\(rejection.detail)",
                               "msg.id": "\(request.msgID ?? "-")"])
                await reply(.error(msgID: request.msgID ?? "", reason: rejection.reason.rawValue), to: request.peer)
            }
        }
        counters.withLock {
            $0.batches += 1
            $0.rejected += rejected
            $0.invalidTraceparents += invalidTraceparents
            $0.unauthorized += unauthorized
        }
        instruments.rejected(rejected)
        guard !messages.isEmpty, let outcome = await write(messages) else { return }
        instruments.written(outcome)
        for (ack, peer) in zip(outcome.acks, peers) { await reply(ack, to: peer) }
        let dropped = events?.publish(outcome.events, traces: outcome.traces) ?? 0
        counters.withLock {
            $0.applied += outcome.applied
            $0.duplicates += outcome.duplicates
            $0.rejected += outcome.rejected
            $0.eventsDropped += dropped
        }
    }

    /// Writes with retries while the database is unavailable; `nil` when it stayed unavailable — the batch
    /// is left unanswered and its clients send it again.
    private func write(_ messages: [IngestMessage]) async -> IngestWriter.Outcome? {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.databaseRetryLimit
        var delay = Duration.milliseconds(50)
        while true {
            let span = telemetry.tracer.startSpan("batch_commit")
            do {
                let outcome = try await writer.write(messages, to: database)
                span.updateAttributes { attributes in
                    attributes[MeasurementField.itemCount] = messages.count
                    attributes[MeasurementField.dbQueries] = outcome.queries
                    attributes[MeasurementField.outcome] = "ok"
                }
                span.end()
                return outcome
            } catch {
                span.updateAttributes { $0[MeasurementField.itemCount] = messages.count }
                span.recordError(error)
                span.end()
                guard clock.now + delay < deadline, !gate.isClosed else {
                    logger.error(
                        "batch not written; its messages stay unacknowledged",
                        metadata: ["messages": "\(messages.count)", "error": "\(error)"])
                    counters.withLock { $0.failedBatches += 1 }
                    return nil
                }
                logger.warning("batch write failed; retrying", metadata: ["error": "\(error)", "retry.in": "\(delay)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }

    private func reply(_ ack: Ack, to peer: [UInt8]) async {
        do {
            try await responder.reply(ack, to: peer)
        } catch {
            logger.warning("ack not sent", metadata: ["msg.id": "\(ack.msgID)", "error": "\(error)"])
        }
    }

    private func pruneDeduplicationLog() async {
        let window = configuration.dedupWindow
        while !Task.isCancelled {
            do {
                let pruned = try await database.withConnection { connection in
                    try await connection.prune(window)
                }
                if pruned > 0 { logger.debug("pruned message ids", metadata: ["count": "\(pruned)"]) }
            } catch {
                logger.warning("pruning message ids failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(60))
        }
    }
}

extension PostgresConnection {
    fileprivate func prune(_ window: Duration) throws -> Int {
        try ProcessedMessages.prune(olderThan: window, on: self)
    }
}
