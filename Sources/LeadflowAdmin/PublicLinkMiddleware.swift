import HTTPTypes
import OpenAPIRuntime

/// What every answer of the one-click unsubscribe operations gets, problem documents included: `Cache-Control:
/// no-store`, `Referrer-Policy: no-referrer` (the token in the URL never leaves in a Referer) and a
/// Content-Security-Policy under which the page runs nothing and posts only to itself. The request's `Accept`
/// is dropped first: the page is the only representation, and a one-click unsubscribe must not fail with 406
/// over a header.
struct PublicLinkMiddleware: ServerMiddleware {
    static let operations: Set<String> = [
        AdminOperation.getUnsubscribePage.rawValue, AdminOperation.unsubscribeOneClick.rawValue,
    ]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard Self.operations.contains(operationID) else { return try await next(request, body, metadata) }
        var request = request
        request.headerFields[.accept] = nil
        var (response, responseBody) = try await next(request, body, metadata)
        response.headerFields[.cacheControl] = UnsubscribePage.cacheControl
        response.headerFields[Self.referrerPolicy] = UnsubscribePage.referrerPolicy
        response.headerFields[.contentSecurityPolicy] = UnsubscribePage.securityPolicy
        return (response, responseBody)
    }

    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
