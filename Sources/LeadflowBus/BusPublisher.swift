import Logging
import ZeroMQ

/// Publishes envelopes on a PUB socket; never blocks: when subscribers are too slow the message is dropped
/// and counted, as PUB/SUB semantics require.
public final class BusPublisher: Sendable {
    let loop: SocketLoop
    let counters = BusCounters()

    init(loop: SocketLoop) { self.loop = loop }

    public static func start(
        context: ZMQContext, name: String, endpoints: [Endpoint], options: SocketOptions = SocketOptions(),
        logger: Logger = BusDefaults.silentLogger
    ) async throws -> BusPublisher {
        let loop = try await SocketLoop.start(
            context: context, configuration: .init(name: name, type: .pub, options: options), endpoints: endpoints,
            logger: logger)
        return BusPublisher(loop: loop)
    }

    /// Queues `envelope` for every matching subscriber; `false` (and counted) when it had to be dropped.
    @discardableResult
    public func publish(_ envelope: Envelope) -> Bool {
        let queued = loop.trySend(envelope.frames)
        if !queued { counters.update { $0.dropped += 1 } }
        return queued
    }

    /// The endpoint actually bound (a `tcp://…:*` port resolved).
    public func boundEndpoint() async throws -> String { try await loop.perform { try $0.lastEndpoint } }

    public var statistics: BusStatistics { counters.snapshot }

    public func close(drainTimeout: Duration = .seconds(1)) async { await loop.close(drainTimeout: drainTimeout) }
}
