import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime

/// Turns what fails inside an operation into a problem document: an ``AdminProblem`` a handler threw as it
/// is, a body or parameter the generated code could not decode as a 400 naming the field, what the runtime
/// refuses (a missing body, another content type) with its status, and anything else as a 500 whose cause is
/// logged, never shown.
struct ProblemMiddleware: ServerMiddleware {
    let logger: Logger

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch let error as ServerError {
            return problem(for: error, operationID: operationID).parts
        }
    }

    func problem(for error: ServerError, operationID: String) -> AdminProblem {
        switch error.underlyingError {
        case let problem as AdminProblem:
            return problem
        case is RFC3339DateTranscoder.InvalidDate:
            return ParameterSyntax.invalidDate(
                path: error.requestMetadata.pathParameters, query: error.request.path.flatMap(Self.query))
        case let decoding as DecodingError:
            // A parameter's error has no coding path; the parameters say which one it was.
            if decoding.codingPath.isEmpty,
                let problem = ParameterSyntax.problem(path: error.requestMetadata.pathParameters, query: error.request.path.flatMap(Self.query))
            {
                return problem
            }
            return Self.problem(for: decoding)
        default:
            let status = error.httpStatus
            guard status.kind == .clientError else {
                logger.error(
                    "operation failed",
                    metadata: ["operation": "\(operationID)", "error": "\(String(reflecting: error.underlyingError))"])
                return AdminProblem(.internalError, "the operation failed; the service's log has the cause")
            }
            return AdminProblem(
                AdminProblem.Kind(status: status), error.causeDescription,
                field: status == .badRequest && error.causeDescription.contains("request body") ? "body" : nil)
        }
    }

    /// A 400 for a value the generated code could not decode, naming the field by its path and never quoting
    /// the value.
    static func problem(for error: DecodingError) -> AdminProblem {
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return AdminProblem(.badRequest, "\(field) is required", field: field)
        case .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return AdminProblem(.badRequest, "\(field) must be \(describe(type)), not null or missing", field: field)
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return AdminProblem(.badRequest, "\(field) must be \(describe(type))", field: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if context.debugDescription.hasPrefix("Additional properties are disabled") {
                return AdminProblem(.badRequest, "unknown field \(field)", field: field)
            }
            if context.codingPath.isEmpty {
                return AdminProblem(.badRequest, "the body is not valid JSON", field: "body")
            }
            if context.debugDescription.contains("invalid String value") || context.debugDescription.contains("Cannot initialize") {
                return AdminProblem(.badRequest, "\(field) is not one of the values the field takes", field: field)
            }
            return AdminProblem(.badRequest, "\(field) is not valid: \(context.debugDescription)", field: field)
        @unknown default:
            return AdminProblem(.badRequest, "the request could not be decoded")
        }
    }

    /// The query of a request target, without the `?`.
    static func query(_ target: String) -> String? {
        target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) }
    }

    /// `channels[2]`, `max_in_flight`; `body` for the document itself.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "body" : text
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is any BinaryInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type, is Decimal.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is any Collection.Type: "an array"
        default: "of another type (\(type))"
        }
    }
}
