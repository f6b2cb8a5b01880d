import LeadflowBus
import LeadflowProto
import Logging
import Synchronization
import ZeroMQ

/// A SUB socket bound for `metrics.>` on a thread of its own, decoding what publishers send: how tests and the
/// overhead benchmark receive measurements without the collector.
public final class MeasurementSink: Sendable {
    let loop: SocketLoop
    private let received = Atomic<Int>(0)

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

    /// The next measurement with its subject; messages that are not a measurement envelope are skipped. nil
    /// once closed.
    public func next() async -> (subject: String, measurement: Leadflow_V1_Measurement)? {
        var messages = loop.inbound.makeAsyncIterator()
        while let message = await messages.next() {
            guard let envelope = try? Envelope(message),
                let measurement = try? envelope.decode(Leadflow_V1_Measurement.self)
            else { continue }
            return (envelope.subject.string, measurement)
        }
        return nil
    }

    /// Takes messages and counts them (``receivedCount``) without decoding, until closed: the cheapest way
    /// to drain.
    public func drain() async {
        while true {
            let batch = await loop.inbound.nextBatch(max: 4_096)
            if batch.isEmpty { return }
            received.add(batch.count, ordering: .relaxed)
        }
    }

    /// Messages ``drain()`` has taken so far.
    public var receivedCount: Int { received.load(ordering: .relaxed) }

    public func close() async { await loop.close(drainTimeout: .zero) }
}
