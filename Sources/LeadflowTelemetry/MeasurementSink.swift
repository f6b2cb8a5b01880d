import LeadflowBus
import LeadflowProto
import Logging
import Synchronization
import ZeroMQ

/// A SUB socket bound for `metrics.>` on a thread of its own, decoding what publishers send — single
/// measurements and length-delimited batches alike: how tests and the overhead benchmark receive measurements
/// without the collector.
public final class MeasurementSink: Sendable {
    let loop: SocketLoop
    private let received = Atomic<Int>(0)
    /// The rest of the last batch ``next()`` decoded, handed out one at a time.
    private let pending = Mutex<[(subject: String, measurement: Leadflow_V1_Measurement)]>([])

    private init(loop: SocketLoop) { self.loop = loop }

    /// Binds `endpoint` (`tcp://127.0.0.1:*` picks a port; see ``boundEndpoint()``).
    public static func bind(
        context: ZMQContext, endpoint: String, logger: Logger = BusDefaults.silentLogger
    ) async throws -> MeasurementSink {
        var configuration = SocketLoop.Configuration(name: "telemetry.sink", type: .sub)
        configuration.inboxCapacity = 100_000
        let loop = try await SocketLoop.start(context: context, configuration: configuration, logger: logger) { socket in
            try socket.subscribe(Array("metrics.".utf8))
            try socket.bind(endpoint)
        }
        return MeasurementSink(loop: loop)
    }

    /// The endpoint publishers connect to (a `tcp://…:*` port resolved).
    public func boundEndpoint() async throws -> String { try await loop.perform { try $0.lastEndpoint } }

    /// The next measurement with its subject; messages that are not measurements (or a well-formed batch of
    /// them) are skipped. nil once closed.
    public func next() async -> (subject: String, measurement: Leadflow_V1_Measurement)? {
        if let next = pending.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return next }
        var messages = loop.inbound.makeAsyncIterator()
        while let message = await messages.next() {
            guard let envelope = try? Envelope(message),
                var measurements = try? envelope.decodeAll(Leadflow_V1_Measurement.self), !measurements.isEmpty
            else { continue }
            let subject = envelope.subject.string
            let tokens = envelope.subject.tokens
            if tokens.count == 3 {
                for index in measurements.indices {
                    measurements[index].fillFromSubject(component: String(tokens[1]), operation: String(tokens[2]))
                }
            }
            if measurements.count > 1 {
                pending.withLock { $0.append(contentsOf: measurements.dropFirst().map { (subject, $0) }) }
            }
            return (subject, measurements[0])
        }
        return nil
    }

    /// Takes messages and counts the measurements they carry (``receivedCount``) without decoding them, until
    /// closed: the cheapest way to drain.
    public func drain() async {
        while true {
            let batch = await loop.inbound.nextBatch(max: 4_096)
            if batch.isEmpty { return }
            var count = 0
            for message in batch {
                count += (try? Envelope(message))?.messageCount ?? 0
            }
            received.add(count, ordering: .relaxed)
        }
    }

    /// Measurements ``drain()`` has counted so far.
    public var receivedCount: Int { received.load(ordering: .relaxed) }

    public func close() async { await loop.close(drainTimeout: .zero) }
}
