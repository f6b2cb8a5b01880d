import FlyingFox
import FlyingSocks
import Foundation

/// A real HTTP/1.1 server on 127.0.0.1 with an ephemeral port that records every request and answers from routes.
///
/// Tests talk to it over real sockets; they learn that a request arrived by awaiting `requests`, never by sleeping.
public final class TestHTTPServer: Sendable {
    public let port: UInt16
    /// Every request in arrival order, yielded as soon as its body has been read (before any reply delay).
    /// An `AsyncStream` has one consumer: iterate it from one place per test.
    public let requests: AsyncStream<RecordedRequest>

    private let server: HTTPServer
    private let serverTask: Task<Void, any Error>
    private let router: Router

    /// `http://127.0.0.1:<port>`, to which tests append a path.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts a server and returns once it accepts connections; unrouted paths get `404`.
    /// FlyingFox routes only the standard methods (GET … TRACE): any other method gets a 404 and is not recorded.
    public static func start() async throws -> TestHTTPServer {
        let router = Router()
        let config = HTTPServer.Configuration(
            address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0),
            // FlyingFox turns a handler that outlives this into a 500; replies may be delayed on purpose.
            timeout: 300,
            logger: .disabled)
        let server = HTTPServer(
            config: config,
            handler: ClosureHTTPHandler { request in try await router.handle(request) })
        let task = Task { try await server.run() }
        do {
            try await server.waitUntilListening()
            guard case .ip4(_, let port) = await server.listeningAddress else {
                throw SocketError.unsupportedAddress
            }
            return TestHTTPServer(port: port, server: server, task: task, router: router)
        } catch {
            task.cancel()
            throw error
        }
    }

    /// Runs `body` against a fresh server and stops the server afterwards, whether `body` throws or not.
    public static func withServer<T>(_ body: (TestHTTPServer) async throws -> T) async throws -> T {
        let server = try await start()
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    private init(port: UInt16, server: HTTPServer, task: Task<Void, any Error>, router: Router) {
        self.port = port
        self.server = server
        self.serverTask = task
        self.router = router
        self.requests = router.requests
    }

    /// Closes the listening socket and every connection, cutting short delayed replies, and ends `requests`.
    public func stop() async {
        await server.stop(timeout: 0)
        serverTask.cancel()
        router.finish()
    }

    /// Answers requests for `path` (exact match, no query) with `reply`; a `method` restricts it to that method.
    /// A method-specific route wins over a method-less one; setting a route again replaces it.
    public func route(_ path: String, method: String? = nil, _ reply: Reply) {
        router.setRoute(path, method: method, reply)
    }

    /// The most requests the server was handling at one time: from the moment each request was read until its
    /// reply (after any delay) was ready to write.
    public var maxConcurrentRequests: Int {
        router.maxConcurrentRequests
    }

    /// Every request received so far, in arrival order.
    public var recordedRequests: [RecordedRequest] {
        router.recorded
    }
}
