import Logging
import ZeroMQ

extension SocketLoop {
    /// Starts a loop whose socket runs `prepare` (e.g. subscriptions) and then binds or connects to every
    /// endpoint: how every bus endpoint type begins.
    static func start(
        context: ZMQContext, configuration: Configuration, endpoints: [Endpoint], logger: Logger,
        prepare: @escaping @Sendable (ZMQSocket) throws -> Void = { _ in }
    ) async throws -> SocketLoop {
        try await start(context: context, configuration: configuration, logger: logger) { socket in
            try prepare(socket)
            for endpoint in endpoints { try endpoint.attach(socket) }
        }
    }
}
