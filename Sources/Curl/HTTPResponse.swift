/// An HTTP response received by `CurlEasy`: status, headers in arrival order, and the (size-limited) body.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    /// The headers of the final response only: those of `100 Continue` or followed redirects are dropped.
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// From the start of the request until the last byte arrived, as libcurl measured it.
    public var totalTime: Duration

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], totalTime: Duration = .zero) {
        self.status = status
        self.headers = headers
        self.body = body
        self.totalTime = totalTime
    }

    /// The server's `Retry-After`, when present and well-formed (429 and 503 responses carry it).
    public var retryAfter: RetryAfter? {
        headers["Retry-After"].flatMap(RetryAfter.init(headerValue:))
    }
}

extension HTTPResponse: CustomStringConvertible {
    // The body is a provider's answer and may echo personal data back, so only its size is printed.
    public var description: String { "HTTP \(status) (\(headers.count) headers, \(body.count)-byte body)" }
}
