import Logging
import ZeroMQ

/// Pulls envelopes from a PULL socket; invalid messages are counted, logged and skipped.
public final class BusPuller: Sendable {
    let loop: SocketLoop
    let counters = BusCounters()
    let reader: EnvelopeReader

    init(loop: SocketLoop, limits: BusLimits, logger: Logger) {
        self.loop = loop
        reader = EnvelopeReader(loop: loop, limits: limits, counters: counters, logger: logger) { _ in true }
    }

    /// `inboxCapacity` bounds the messages read from the socket and not yet taken (besides what libzmq queues,
    /// up to the receive high-water mark); `finalReadLimit` more are read at ``close()`` from what libzmq holds,
    /// for a consumer that hands back what it did not process.
    public static func start(
        context: ZMQContext, name: String, endpoints: [Endpoint], options: SocketOptions = SocketOptions(),
        limits: BusLimits = .default, inboxCapacity: Int = 10_000, finalReadLimit: Int = 0,
        logger: Logger = BusDefaults.silentLogger
    ) async throws -> BusPuller {
        var configuration = SocketLoop.Configuration(name: name, type: .pull, options: options)
        configuration.inboxCapacity = inboxCapacity
        configuration.finalReadLimit = finalReadLimit
        let loop = try await SocketLoop.start(
            context: context, configuration: configuration, endpoints: endpoints, logger: logger)
        return BusPuller(loop: loop, limits: limits, logger: logger)
    }

    public func next() async -> Envelope? { await reader.next() }

    public func nextBatch(max: Int) async -> [Envelope] { await reader.nextBatch(max: max) }

    public func boundEndpoint() async throws -> String { try await loop.perform { try $0.lastEndpoint } }

    public var statistics: BusStatistics { counters.snapshot }

    public func close() async { await loop.close(drainTimeout: .zero) }
}
