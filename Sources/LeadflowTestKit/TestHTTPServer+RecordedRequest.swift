import FlyingFox

extension TestHTTPServer {
    /// One request as the server received it.
    ///
    /// FlyingFox keeps one value per request header name (the last one) and does not keep their order, so
    /// `headers` shows each name once, in no particular order.
    public struct RecordedRequest: Sendable {
        /// The client's end of the connection, which tells requests on one kept-alive connection apart.
        public struct RemoteAddress: Sendable, Hashable {
            public var host: String
            public var port: UInt16

            init?(_ address: HTTPRequest.Address) {
                switch address {
                case .ip4(let host, let port), .ip6(let host, let port):
                    self.host = host
                    self.port = port
                case .unix:
                    return nil
                }
            }
        }

        public var method: String
        public var path: String
        /// The raw query string, without the `?`.
        public var query: String?
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        public var remoteAddress: RemoteAddress?

        /// The value of header `name`, compared case-insensitively as HTTP requires.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }
}
