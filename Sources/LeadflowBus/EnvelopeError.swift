/// Why a received message is not a valid bus envelope, with the stable reason ingest replies with.
public enum EnvelopeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not exactly three frames (subject, headers, payload).
    case wrongFrameCount(Int)
    case invalidSubject(SubjectError)
    case malformedHeaders(HeaderBlockError)
    case payloadTooLarge(size: Int, limit: Int)
    case unsupportedContentType(String)
    /// The payload is not a valid encoding of the subject's message type.
    case undecodablePayload(messageType: String, reason: String)
    /// A length-delimited stream (``DelimitedStream``) whose message size at byte `offset` is not a varint or
    /// runs past the end of the payload.
    case malformedStream(offset: Int)

    /// The stable `-ERR` reason clients see (documented in docs/protocol.md).
    public var reason: IngestReason {
        switch self {
        case .wrongFrameCount: .malformedMessage
        case .invalidSubject: .invalidSubject
        case .malformedHeaders: .malformedHeaders
        case .payloadTooLarge: .payloadTooLarge
        case .unsupportedContentType: .unsupportedContentType
        case .undecodablePayload, .malformedStream: .invalidPayload
        }
    }

    public var description: String {
        switch self {
        case .wrongFrameCount(let count): "expected 3 frames (subject, headers, payload), got \(count)"
        case .invalidSubject(let error): "invalid subject: \(error)"
        case .malformedHeaders(let error): "malformed headers: \(error)"
        case .payloadTooLarge(let size, let limit): "payload is \(size) bytes, larger than \(limit)"
        case .unsupportedContentType(let value): "unsupported Content-Type '\(value)'"
        case .undecodablePayload(let type, let reason): "payload is not a valid \(type): \(reason)"
        case .malformedStream(let offset):
            "length-delimited stream is cut or corrupt: the message size at byte \(offset) is not a varint or runs past the end"
        }
    }
}
