import FlyingSocks
import Synchronization

/// A real TCP server on 127.0.0.1 with an ephemeral port that reads the head of each request (up to its blank
/// line) and hangs up without answering: a provider whose connection breaks mid-request. Whatever the client sent
/// beyond the head is left unread, so the kernel may reset the connection rather than close it.
public final class TestHangUpServer: Sendable {
    public let port: UInt16
    private let listener: AsyncSocket
    private let tasks = Mutex<[Task<Void, any Error>]>([])
    private let hungUp = Mutex(0)

    /// `http://127.0.0.1:<port>`, to which tests append a path.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Connections read and hung up on so far.
    public var hangUps: Int { hungUp.withLock { $0 } }

    /// Runs `body` against a fresh server and stops the server afterwards, whether `body` throws or not.
    public static func withServer<T>(_ body: (TestHangUpServer) async throws -> T) async throws -> T {
        let listener = try await LoopbackListener.start()
        let server = TestHangUpServer(port: listener.port, listener: listener.socket)
        server.tasks.withLock { $0.append(listener.poolTask) }
        server.acceptConnections()
        defer { server.stop() }
        return try await body(server)
    }

    private init(port: UInt16, listener: AsyncSocket) {
        self.port = port
        self.listener = listener
    }

    private func stop() {
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }

    private func acceptConnections() {
        let task = Task { [self] in
            defer { try? listener.close() }
            while true {
                let connection = try await listener.accept()
                var head: [UInt8] = []
                while head.firstRange(of: [0x0D, 0x0A, 0x0D, 0x0A]) == nil {
                    let chunk = try await connection.read(atMost: 4096)
                    if chunk.isEmpty { break }
                    head += chunk
                }
                hungUp.withLock { $0 += 1 }
                try? connection.close()
            }
        }
        tasks.withLock { $0.append(task) }
    }
}
