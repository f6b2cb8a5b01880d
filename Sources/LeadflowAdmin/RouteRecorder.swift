import HTTPTypes
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime

/// The transport the generated server registers its operations on: each goes to the Hummingbird router, and
/// its method and path to the ``RouteTable``.
struct RouteRecorder: ServerTransport {
    let router: Router<AdminRequestContext>
    let table: RouteTable

    func register(
        _ handler: @escaping @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
        method: HTTPRequest.Method, path: String
    ) throws {
        table.record(method: method, path: path)
        router.register(handler, method: method, path: path)
    }
}
