/// An HTTP request as `CurlEasy` performs it: what to send, how long to wait, and how much to accept back.
public struct HTTPRequest: Sendable {
    /// A user name and password sent as an `Authorization: Basic` header; never printed.
    public struct BasicAuth: Sendable, Hashable {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    /// The default `maxResponseBodySize`: provider API answers are small, so 4 MiB is generous yet bounded.
    public static let defaultMaxResponseBodySize = 4 << 20

    public var method: HTTPMethod
    /// An `http://` or `https://` URL; other schemes are refused so a configured webhook cannot read files.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The limit on DNS resolution plus the TCP and TLS handshakes.
    public var connectTimeout: Duration
    /// The limit on the whole transfer, connection included.
    public var timeout: Duration
    public var basicAuth: BasicAuth?
    /// Bytes of response body accepted before the transfer is abandoned with `.responseTooLarge`.
    public var maxResponseBodySize: Int
    /// Redirects followed (to `http`/`https` only); 0, the default, returns the 3xx response itself.
    public var maxRedirects: Int

    public init(
        method: HTTPMethod = .get,
        url: String,
        headers: HTTPHeaders = [:],
        body: [UInt8] = [],
        connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(30),
        basicAuth: BasicAuth? = nil,
        maxResponseBodySize: Int = HTTPRequest.defaultMaxResponseBodySize,
        maxRedirects: Int = 0
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.basicAuth = basicAuth
        self.maxResponseBodySize = maxResponseBodySize
        self.maxRedirects = maxRedirects
    }
}
