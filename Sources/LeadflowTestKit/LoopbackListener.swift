import FlyingFox
import FlyingSocks
import Foundation

/// A listening TCP socket on 127.0.0.1 with an ephemeral port, and the task running the socket pool it is served
/// by: what the raw-socket test servers accept connections on.
struct LoopbackListener: Sendable {
    let socket: AsyncSocket
    let port: UInt16
    /// Runs the pool; cancel it when the server stops.
    let poolTask: Task<Void, any Error>

    static func start() async throws -> LoopbackListener {
        let pool = HTTPServer.defaultPool()
        try await pool.prepare()
        let poolTask = Task { try await pool.run() }
        do {
            let socket = try Socket(domain: AF_INET, type: .stream)
            try socket.setValue(true, for: .localAddressReuse)
            try socket.bind(to: sockaddr_in.inet(ip4: "127.0.0.1", port: 0))
            try socket.listen()
            guard case .ip4(_, let port) = try socket.sockname() else { throw SocketError.unsupportedAddress }
            return LoopbackListener(socket: try AsyncSocket(socket: socket, pool: pool), port: port, poolTask: poolTask)
        } catch {
            poolTask.cancel()
            throw error
        }
    }
}
