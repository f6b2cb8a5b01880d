import FlyingFox
import Synchronization

extension TestHTTPServer {
    /// The server's shared state, reached from FlyingFox's connection tasks: routes, the record, the stream.
    final class Router: Sendable {
        private struct State {
            var routes: [RouteKey: Reply] = [:]
            var recorded: [RecordedRequest] = []
            var handling = 0
            var maxHandling = 0
        }

        private struct RouteKey: Hashable {
            var method: String?
            var path: String
        }

        let requests: AsyncStream<RecordedRequest>
        private let continuation: AsyncStream<RecordedRequest>.Continuation
        private let state = Mutex(State())

        init() {
            (requests, continuation) = AsyncStream.makeStream(of: RecordedRequest.self)
        }

        var recorded: [RecordedRequest] {
            state.withLock { $0.recorded }
        }

        var maxConcurrentRequests: Int {
            state.withLock { $0.maxHandling }
        }

        func setRoute(_ path: String, method: String?, _ reply: Reply) {
            state.withLock { $0.routes[RouteKey(method: method?.uppercased(), path: path)] = reply }
        }

        func finish() {
            continuation.finish()
        }

        func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
            let query = request.target.query()
            let recorded = RecordedRequest(
                method: request.method.rawValue,
                path: request.path,
                query: query.isEmpty ? nil : query,
                headers: request.headers.map { (name: $0.key.rawValue, value: $0.value) },
                body: [UInt8](try await request.bodyData),
                remoteAddress: request.remoteAddress.flatMap(RecordedRequest.RemoteAddress.init))
            let reply = state.withLock { state in
                state.recorded.append(recorded)
                state.handling += 1
                state.maxHandling = max(state.maxHandling, state.handling)
                return state.routes[RouteKey(method: recorded.method.uppercased(), path: recorded.path)]
                    ?? state.routes[RouteKey(method: nil, path: recorded.path)]
                    ?? Reply(status: 404)
            }
            continuation.yield(recorded)
            // Counted out before the reply is written, so a client that waits for replies before sending more
            // can never appear to have more requests open than it had.
            defer { state.withLock { $0.handling -= 1 } }
            if let delay = reply.delay {
                try await Task.sleep(for: delay)
            }
            return reply.makeResponse()
        }
    }
}
