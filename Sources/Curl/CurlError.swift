import CCurl

/// A failed transfer: a stable kind to branch on, the libcurl code, and libcurl's own explanation.
public struct CurlError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in the terms a caller decides retries by; the raw values are stable for logs and metrics.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case timeout
        case couldNotConnect
        case couldNotResolveHost
        case tls
        case sendFailed
        case receiveFailed
        /// The URL cannot be parsed, or names a scheme the request does not allow (http/https; smtp/smtps).
        case malformedURL
        /// The response body (or header block) exceeded the request's limit; the transfer was abandoned.
        case responseTooLarge
        /// The request itself cannot be sent as given (a header or address with a line break, a HEAD with a body);
        /// no I/O happened.
        case invalidRequest
        case other
    }

    public var kind: Kind
    /// The `CURLcode` libcurl returned.
    public var code: Int
    /// libcurl's error-buffer text (or its generic text for `code`); it names hosts and ports, never bodies.
    public var message: String

    public init(kind: Kind, code: Int, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    init(code: CURLcode, message: String) {
        self.init(kind: Self.kind(for: code), code: Int(code.rawValue), message: message)
    }

    /// A request refused before any I/O because it cannot be sent as given.
    static func invalidRequest(_ message: String) -> CurlError {
        CurlError(kind: .invalidRequest, code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue), message: message)
    }

    public var description: String { "CurlError.\(kind) (CURLcode \(code)): \(message)" }

    static func kind(for code: CURLcode) -> Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_COULDNT_CONNECT:
            return .couldNotConnect
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .couldNotResolveHost
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return .tls
        case CURLE_SEND_ERROR, CURLE_SEND_FAIL_REWIND:
            return .sendFailed
        case CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2,
            CURLE_HTTP2_STREAM, CURLE_HTTP3:
            return .receiveFailed
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .malformedURL
        case CURLE_FILESIZE_EXCEEDED:
            return .responseTooLarge
        default:
            return .other
        }
    }
}
