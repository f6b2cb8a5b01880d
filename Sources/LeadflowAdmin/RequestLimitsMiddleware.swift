import HTTPTypes
import Hummingbird
import NIOCore

/// The first thing every request meets: it records the client's address for the bad-token limiter, reads the
/// body up to `admin.max_body_bytes` (a larger one is refused before the rest is read), and turns what the
/// router answers by itself — no such path, a method the path does not take — into problem documents.
struct RequestLimitsMiddleware: RouterMiddleware {
    typealias Context = AdminRequestContext

    let maxBodyBytes: Int
    let routes: RouteTable

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var request = request
        do {
            _ = try await request.collectBody(upTo: maxBodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return AdminProblem(
                .badRequest, "the request body is larger than admin.max_body_bytes (\(maxBodyBytes) bytes)",
                field: "body"
            ).response
        }
        do {
            return try await ClientAddress.$current.withValue(context.clientAddress) {
                try await next(request, context)
            }
        } catch let error as any HTTPResponseError where error.status == .notFound {
            let allowed = routes.methods(for: request.uri.path)
            guard allowed.isEmpty else {
                var response = AdminProblem(
                    .methodNotAllowed,
                    "\(request.method.rawValue) is not an operation of \(request.uri.path); it takes \(allowed.map(\.rawValue).joined(separator: ", "))"
                ).response
                response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                return response
            }
            return AdminProblem(.notFound, "no such path: \(request.uri.path) (the operations are in openapi/admin.yaml)").response
        } catch let error as any HTTPResponseError {
            return AdminProblem(AdminProblem.Kind(status: error.status), "\(error.status.reasonPhrase)").response
        }
    }
}
