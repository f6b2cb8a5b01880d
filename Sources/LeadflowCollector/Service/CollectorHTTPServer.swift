import FlyingFox
import FlyingSocks
import Foundation
import LeadflowDomain

/// The collector's HTTP listener: `GET /metrics` (Prometheus), `/healthz`, `/alerts` and `/api/v1/summary`
/// (for `leadflow top`); any other path is a 404.
public final class CollectorHTTPServer: Sendable {
    /// The port it listens on (the bound one when 0 was asked for).
    public let port: UInt16
    private let server: HTTPServer
    private let task: Task<Void, any Error>

    /// Binds `address`, starts serving `content` and returns once connections are accepted.
    public static func start(address: HTTPAddress, content: some CollectorHTTPContent) async throws -> CollectorHTTPServer {
        let server = HTTPServer(
            config: .init(address: try sockaddr_in.inet(ip4: address.host, port: address.port), timeout: 30, logger: .disabled))
        await server.appendRoute("GET /metrics") { _ in
            let text = await content.prometheusText()
            return HTTPResponse(
                statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: Data(text.utf8))
        }
        await server.appendRoute("GET /healthz") { _ in
            let (healthy, json) = await content.health()
            return HTTPResponse(
                statusCode: healthy ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: Data(json))
        }
        await server.appendRoute("GET /alerts") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(await content.alertsJSON()))
        }
        await server.appendRoute("GET /api/v1/summary") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(await content.summaryJSON()))
        }
        let task = Task { try await server.run() }
        do {
            try await server.waitUntilListening()
            guard case .ip4(_, let port) = await server.listeningAddress else { throw SocketError.unsupportedAddress }
            return CollectorHTTPServer(port: port, server: server, task: task)
        } catch {
            task.cancel()
            throw error
        }
    }

    private init(port: UInt16, server: HTTPServer, task: Task<Void, any Error>) {
        self.port = port
        self.server = server
        self.task = task
    }

    /// Stops listening and closes every connection.
    public func stop() async {
        await server.stop(timeout: 0)
        task.cancel()
    }
}
