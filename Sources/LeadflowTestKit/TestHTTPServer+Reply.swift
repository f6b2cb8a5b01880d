import FlyingFox
import FlyingSocks
import Foundation

extension TestHTTPServer {
    /// What the server answers on a route.
    ///
    /// FlyingFox writes each value of `Set-Cookie`, `Cookie`, `Date`, `ETag` and a few others on its own line but
    /// folds other repeated names into one comma-joined line; repeated-line tests therefore use `Set-Cookie`.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        /// Waits this long before answering (the request is recorded first), to push a client past its timeout.
        public var delay: Duration?
        /// Sends the body with chunked transfer encoding, so the client cannot know its size in advance.
        public var chunked: Bool

        public init(
            status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
            delay: Duration? = nil, chunked: Bool = false
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
            self.chunked = chunked
        }

        public init(
            status: Int = 200, headers: [(name: String, value: String)] = [], text: String,
            delay: Duration? = nil, chunked: Bool = false
        ) {
            self.init(status: status, headers: headers, body: Array(text.utf8), delay: delay, chunked: chunked)
        }

        func makeResponse() -> HTTPResponse {
            var fields = HTTPHeaders()
            for header in headers {
                fields.addValue(header.value, for: HTTPHeader(header.name))
            }
            let status = HTTPStatusCode(status, phrase: "Test Status")
            guard chunked else {
                return HTTPResponse(statusCode: status, headers: fields, body: Data(body))
            }
            return HTTPResponse(statusCode: status, headers: fields, body: HTTPBodySequence(from: ByteChunks(body)))
        }
    }

    /// Bytes handed out a few KiB at a time, which FlyingFox sends as chunks of unknown total length.
    struct ByteChunks: AsyncBufferedSequence {
        typealias Element = UInt8
        let bytes: [UInt8]

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        func makeAsyncIterator() -> Iterator {
            Iterator(bytes: bytes)
        }

        struct Iterator: AsyncBufferedIteratorProtocol {
            let bytes: [UInt8]
            var index = 0

            mutating func next() async -> UInt8? {
                guard index < bytes.endIndex else { return nil }
                defer { index += 1 }
                return bytes[index]
            }

            mutating func nextBuffer(suggested count: Int) async -> ArraySlice<UInt8>? {
                guard index < bytes.endIndex else { return nil }
                let end = Swift.min(bytes.endIndex, index + Swift.max(1, count))
                defer { index = end }
                return bytes[index..<end]
            }
        }
    }
}
