import Foundation
import HTTPTypes

/// An error the admin API answers with an `application/problem+json` document (RFC 9457): a stable kind
/// (`urn:leadflow:problem:<kind>`), the status, a detail naming what was wrong, and the field at fault (400) or
/// the state that refused a control (409). Its text never carries a token or a request body.
public struct AdminProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of problem, each with its status and title (docs/admin-api.md, "Errors").
    public enum Kind: String, Sendable, CaseIterable {
        case badRequest = "bad-request"
        case unauthorized
        case forbidden
        case notFound = "not-found"
        case methodNotAllowed = "method-not-allowed"
        case notAcceptable = "not-acceptable"
        case conflict
        case unsupportedMediaType = "unsupported-media-type"
        case tooManyRequests = "too-many-requests"
        case internalError = "internal-error"
        case notReady = "not-ready"

        public var status: HTTPResponse.Status {
            switch self {
            case .badRequest: .badRequest
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .notAcceptable: .notAcceptable
            case .conflict: .conflict
            case .unsupportedMediaType: .unsupportedMediaType
            case .tooManyRequests: .tooManyRequests
            case .internalError: .internalServerError
            case .notReady: .serviceUnavailable
            }
        }

        public var title: String {
            switch self {
            case .badRequest: "The request is malformed"
            case .unauthorized: "No valid bearer token"
            case .forbidden: "Not allowed for this token"
            case .notFound: "Not found"
            case .methodNotAllowed: "Method not allowed"
            case .notAcceptable: "No acceptable response type"
            case .conflict: "The object's state does not allow this"
            case .unsupportedMediaType: "The body must be application/json"
            case .tooManyRequests: "Too many bad tokens from this address"
            case .internalError: "Internal error"
            case .notReady: "Not ready"
            }
        }

        /// The problem's `type` member.
        public var uri: String { "urn:leadflow:problem:\(rawValue)" }

        /// The kind whose status is `status`; unknown client errors read as bad requests.
        public init(status: HTTPResponse.Status) {
            self = Kind.allCases.first { $0.status == status } ?? (status.code >= 500 ? .internalError : .badRequest)
        }
    }

    public var kind: Kind
    public var detail: String
    /// The parameter or body field at fault.
    public var field: String?
    /// The state that refused a control.
    public var state: String?
    /// `Retry-After` seconds (429).
    public var retryAfterSeconds: Int?

    public init(_ kind: Kind, _ detail: String, field: String? = nil, state: String? = nil, retryAfterSeconds: Int? = nil) {
        self.kind = kind
        self.detail = detail
        self.field = field
        self.state = state
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(kind.status.code) \(kind.rawValue): \(detail)" }

    public static let contentType = "application/problem+json"

    /// The response head: status, content type, and `Retry-After` or `WWW-Authenticate` where they belong.
    public var head: HTTPResponse {
        var fields = HTTPFields()
        fields[.contentType] = Self.contentType
        if let retryAfterSeconds { fields[.retryAfter] = "\(retryAfterSeconds)" }
        if kind == .unauthorized { fields[.wwwAuthenticate] = "Bearer" }
        return HTTPResponse(status: kind.status, headerFields: fields)
    }

    /// The problem document.
    public var body: Data {
        let document = Document(
            type: kind.uri, title: kind.title, status: kind.status.code, detail: detail, field: field, state: state)
        // A struct of strings and an integer: encoding cannot fail.
        return try! Self.encoder.encode(document)
    }

    private struct Document: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String
        let field: String?
        let state: String?
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
