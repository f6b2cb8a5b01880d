import HTTPTypes
import Synchronization

/// The method and path template of every operation the generated server registered (through
/// ``RouteRecorder``), so a request for a known path with another method is answered 405 with `Allow`, not 404.
final class RouteTable: Sendable {
    private let routes = Mutex<[(method: HTTPRequest.Method, segments: [Substring])]>([])

    func record(method: HTTPRequest.Method, path: String) {
        routes.withLock { $0.append((method, Self.segments(path))) }
    }

    /// The methods registered for `path` (a request's path, without its query), in registration order.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = Self.segments(path)
        return routes.withLock { routes in
            routes.filter { route in
                route.segments.count == segments.count
                    && zip(route.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
            }.map(\.method)
        }
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/") } ?? []
    }
}
