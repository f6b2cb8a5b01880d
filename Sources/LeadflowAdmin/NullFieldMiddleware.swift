import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Refuses `null` in a JSON request body with a 400 naming the field. No request field of openapi/admin.yaml is
/// nullable: a field is given or left out (the generated code would read `null` as left out, accepting a body
/// the document calls invalid). A body that is not JSON goes on, for the generated code to refuse.
struct NullFieldMiddleware: ServerMiddleware {
    let maxBodyBytes: Int

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let body else { return try await next(request, nil, metadata) }
        // Already read whole by RequestLimitsMiddleware: collecting it again costs a copy, not a wait.
        let bytes = try await [UInt8](collecting: body, upTo: maxBodyBytes)
        if let document = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]),
            let field = Self.firstNull(in: document, at: "")
        {
            let name = field.isEmpty ? "body" : field
            return AdminProblem(.badRequest, "\(name) must not be null: leave the field out instead", field: name).parts
        }
        return try await next(request, HTTPBody(bytes), metadata)
    }

    /// The path of the first `null` in `value` (`organizations[1]`, `limits.burst`), "" for the document itself.
    static func firstNull(in value: Any, at path: String) -> String? {
        switch value {
        case is NSNull:
            return path
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                if let found = firstNull(in: object[key]!, at: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = firstNull(in: element, at: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
