import Foundation
import LeadflowBus
import LeadflowDomain
import LeadflowProto
import Logging
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// `leadflow collector`: receives every component's `metrics.>` measurements, keeps their percentiles, counters
/// and gauges, logs slow operations as JSON lines, evaluates the alert rules with hysteresis and sends each
/// transition to the log, to `alert.<severity>.<rule>` on the bus and to Alertmanager; serves `/metrics`,
/// `/healthz`, `/alerts` and `/api/v1/summary`.
public final class CollectorService: Service, Sendable {
    /// What the collector has done since it started.
    public struct Statistics: Sendable, Hashable {
        /// Measurements received (each of a batch counted), malformed messages included.
        public var received = 0
        /// Rule evaluations run.
        public var evaluations = 0
        public var malformed = 0
        public var breaches = 0
        public var transitions = 0
        public var alertsPublished = 0
        public var alertsDropped = 0
    }

    public let state: CollectorState
    private let configuration: CollectorConfiguration
    private let subscriber: BusSubscriber
    private let alerts: BusPublisher?
    private let notifier: AlertmanagerNotifier?
    private let http: CollectorHTTPServer
    private let lines: LineSink
    private let logger: Logger
    private let counters = Mutex(Statistics())
    private let malformedLog = Mutex(ContinuousClock.Instant?.none)

    private init(
        configuration: CollectorConfiguration, state: CollectorState, subscriber: BusSubscriber, alerts: BusPublisher?,
        notifier: AlertmanagerNotifier?, http: CollectorHTTPServer, lines: LineSink, logger: Logger
    ) {
        self.configuration = configuration
        self.state = state
        self.subscriber = subscriber
        self.alerts = alerts
        self.notifier = notifier
        self.http = http
        self.lines = lines
        self.logger = logger
    }

    /// Binds the metrics SUB socket, the alerts PUB socket and the HTTP listener; measurements are taken once
    /// ``run()`` is called. `lines` receives the JSON log lines. `socketOptions` are the bound sockets'
    /// (CURVE server keys, with the context's ZAP handler started first).
    public static func start(
        configuration: CollectorConfiguration, rules: RuleSet, context: ZMQContext, lines: LineSink, logger: Logger,
        socketOptions: SocketOptions = SocketOptions()
    ) async throws -> CollectorService {
        guard let address = HTTPAddress(configuration.httpAddress) else {
            throw CollectorConfigurationError(configuration.problems())
        }
        let problems = configuration.problems()
        guard problems.isEmpty else { throw CollectorConfigurationError(problems) }
        let state = try CollectorState(
            rules: rules, store: configuration.store, evaluateInterval: configuration.evaluateInterval,
            generatorURL: "http://\(configuration.httpAddress)/alerts")
        let subscriber = try await BusSubscriber.start(
            context: context, name: "collector.metrics", endpoints: [.bind(configuration.metricsEndpoint)],
            patterns: [try SubjectPattern("metrics.>")], options: socketOptions, logger: logger)
        var alerts: BusPublisher?
        do {
            if let endpoint = configuration.alertsEndpoint {
                alerts = try await BusPublisher.start(
                    context: context, name: "collector.alerts", endpoints: [.bind(endpoint)], options: socketOptions,
                    logger: logger)
            }
            let http = try await CollectorHTTPServer.start(address: address, content: state)
            let notifier =
                configuration.alertmanagerURLs.isEmpty
                ? nil
                : AlertmanagerNotifier(
                    urls: configuration.alertmanagerURLs, attempts: configuration.alertmanagerAttempts, logger: logger)
            return CollectorService(
                configuration: configuration, state: state, subscriber: subscriber, alerts: alerts, notifier: notifier,
                http: http, lines: lines, logger: logger)
        } catch {
            await subscriber.close()
            await alerts?.close(drainTimeout: .zero)
            throw error
        }
    }

    public var statistics: Statistics { counters.withLock { $0 } }

    /// The HTTP port (the bound one when `collector.http` asked for port 0).
    public var httpPort: UInt16 { http.port }

    /// The SUB endpoint actually bound (a `tcp://…:*` port resolved).
    public func metricsEndpoint() async throws -> String { try await subscriber.boundEndpoint() }

    /// The alerts PUB endpoint actually bound; `nil` when alerts are not published.
    public func alertsEndpoint() async throws -> String? { try await alerts?.boundEndpoint() }

    /// Receives and evaluates until graceful shutdown or cancellation; then evaluates once more, sends what is
    /// queued for Alertmanager (for at most 5 s) and closes every socket.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.receive() }
                group.addTask { await self.evaluatePeriodically() }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task { await self.subscriber.close() }
        }
        await subscriber.close()
        await evaluate(at: Date())
        await notifier?.close()
        await alerts?.close()
        await http.stop()
    }

    private func receive() async {
        while !Task.isCancelled {
            let batch = await subscriber.nextBatch(max: 1_024)
            if batch.isEmpty { return }
            await record(batch, at: Date())
        }
    }

    /// Records a batch of envelopes (each one measurement or a batch of them) and writes a line for every slow
    /// operation among them.
    func record(_ envelopes: [Envelope], at time: Date) async {
        var measurements: [Leadflow_V1_Measurement] = []
        var malformed = 0
        for envelope in envelopes {
            switch MeasurementEnvelope.decode(envelope) {
            case .success(let batch): measurements.append(contentsOf: batch)
            case .failure(let problem):
                malformed += 1
                logMalformed(problem, subject: envelope.subject.string)
            }
        }
        let breaches = await state.record(measurements, malformed: malformed, at: time)
        for breach in breaches { lines.emit(BreachLogLine.encode(breach)) }
        counters.withLock {
            // Measurements, not messages: a batch counts each of its measurements, a malformed message one.
            $0.received += measurements.count + malformed
            $0.malformed += malformed
            $0.breaches += breaches.count
        }
    }

    /// One warning per 10 s at most: a broken publisher must not flood the collector's own log.
    private func logMalformed(_ problem: MalformedMeasurement, subject: String) {
        let now = ContinuousClock.now
        let due = malformedLog.withLock { last in
            guard last.map({ now - $0 >= .seconds(10) }) ?? true else { return false }
            last = now
            return true
        }
        if due {
            logger.warning(
                "measurement ignored (further ones are counted, logged at most every 10 s)",
                metadata: ["subject": "\(subject)", "problem": "\(problem)"])
        }
    }

    private func evaluatePeriodically() async {
        var lastRepeat = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.evaluateInterval) } catch { return }
            await evaluate(at: Date())
            if let notifier, ContinuousClock.now - lastRepeat >= configuration.alertmanagerRepeatInterval {
                lastRepeat = .now
                if let body = await state.firingPayload() { notifier.notify(body) }
            }
        }
    }

    /// Evaluates the rules once and announces every transition: log line, bus, Alertmanager.
    func evaluate(at time: Date) async {
        let transitions = await state.evaluate(at: time)
        counters.withLock { $0.evaluations += 1 }
        guard !transitions.isEmpty else { return }
        var published = 0
        var dropped = 0
        for transition in transitions {
            lines.emit(AlertLogLine.encode(transition))
            guard let alerts else { continue }
            do {
                let envelope = try Envelope(subject: try Subject(transition.subject), message: transition.message)
                if alerts.publish(envelope) { published += 1 } else { dropped += 1 }
            } catch {
                dropped += 1
                logger.error("alert not published", metadata: ["subject": "\(transition.subject)", "error": "\(error)"])
            }
        }
        notifier?.notify(Array(AlertmanagerPayload(transitions, generatorURL: "http://\(configuration.httpAddress)/alerts").json()))
        counters.withLock {
            $0.transitions += transitions.count
            $0.alertsPublished += published
            $0.alertsDropped += dropped
        }
    }
}

/// The collector's settings cannot work; every problem is listed.
public struct CollectorConfigurationError: Error, CustomStringConvertible {
    public let problems: [String]
    init(_ problems: [String]) { self.problems = problems }
    public var description: String { "collector settings: " + problems.joined(separator: "; ") }
}
