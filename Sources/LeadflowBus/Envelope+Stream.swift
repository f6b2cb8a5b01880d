import SwiftProtobuf

extension Envelope {
    /// An envelope whose payload is `stream`, marked as a length-delimited stream in its headers.
    public init(subject: Subject, stream: DelimitedStream, headers: Headers = Headers()) throws(HeaderBlockError) {
        var headers = headers
        try headers.set(Headers.Name.contentType, DelimitedStream.contentType)
        self.init(subject: subject, headers: headers, payload: stream.bytes)
    }

    /// Whether the payload is a length-delimited stream of messages (``DelimitedStream``).
    public var carriesStream: Bool {
        guard headers.hasContentType, let value = headers[Headers.Name.contentType] else { return false }
        return ContentType.mediaType(of: value) == DelimitedStream.contentType
    }

    /// Every message the envelope carries: those of a length-delimited stream, or the one message ``decode(_:)``
    /// reads from any other payload.
    @inlinable
    public func decodeAll<M: SwiftProtobuf.Message>(_ type: M.Type) throws(EnvelopeError) -> [M] {
        if carriesStream { return try DelimitedStream.decode(type, from: payload) }
        return [try decode(type)]
    }

    /// How many messages the envelope carries, without decoding them; nil for a stream that is not well formed.
    public var messageCount: Int? {
        carriesStream ? DelimitedStream.count(in: payload) : 1
    }
}
