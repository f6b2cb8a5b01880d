import Logging
import ZeroMQ

/// Pushes envelopes to a PUSH socket, load-balanced across the connected pullers; waits when they are busy.
public final class BusPusher: Sendable {
    let loop: SocketLoop

    init(loop: SocketLoop) { self.loop = loop }

    public static func start(
        context: ZMQContext, name: String, endpoints: [Endpoint], options: SocketOptions = SocketOptions(),
        outboxCapacity: Int = 10_000, logger: Logger = BusDefaults.silentLogger
    ) async throws -> BusPusher {
        var configuration = SocketLoop.Configuration(name: name, type: .push, options: options)
        configuration.outboxCapacity = outboxCapacity
        let loop = try await SocketLoop.start(
            context: context, configuration: configuration, endpoints: endpoints, logger: logger)
        return BusPusher(loop: loop)
    }

    /// Queues `envelope`, suspending while the outbox is full (back-pressure from slow pullers).
    public func push(_ envelope: Envelope) async throws { try await loop.send(envelope.frames) }

    /// Queues several envelopes in order with one hand-over per run that fits the outbox.
    public func push(contentsOf envelopes: [Envelope]) async throws {
        try await loop.send(contentsOf: envelopes.map(\.frames))
    }

    public func boundEndpoint() async throws -> String { try await loop.perform { try $0.lastEndpoint } }

    /// Flushes what is queued for at most `drainTimeout`, then closes.
    public func close(drainTimeout: Duration = .seconds(1)) async { await loop.close(drainTimeout: drainTimeout) }
}
