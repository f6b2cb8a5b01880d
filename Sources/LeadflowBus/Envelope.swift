import SwiftProtobuf
import ZeroMQ

/// One bus message: subject, headers and payload, travelling as exactly three ZeroMQ frames.
public struct Envelope: Sendable, Equatable {
    public var subject: Subject
    public var headers: Headers
    public var payload: [UInt8]

    public init(subject: Subject, headers: Headers = Headers(), payload: [UInt8]) {
        self.subject = subject
        self.headers = headers
        self.payload = payload
    }

    /// An envelope carrying `message`, encoded as `contentType` (which is recorded in the headers when it is
    /// not the protobuf default). Inlinable so that callers get it specialized for their message type.
    @inlinable
    public init(
        subject: Subject, message: some SwiftProtobuf.Message, headers: Headers = Headers(),
        contentType: ContentType = .protobuf
    ) throws {
        var headers = headers
        switch contentType {
        case .protobuf:
            payload = try message.serializedBytes()
        case .json:
            payload = try message.jsonUTF8Bytes()
            try headers.set(Headers.Name.contentType, ContentType.json.rawValue)
        }
        self.subject = subject
        self.headers = headers
    }

    /// The three frames to send.
    public var frames: [[UInt8]] { [subject.bytes, HeaderBlock.encode(headers), payload] }

    /// Validates received frames: frame count, subject, header block and payload size, in that order.
    public init(frames: [[UInt8]], partCount: Int? = nil, limits: BusLimits = .default) throws(EnvelopeError) {
        let count = partCount ?? frames.count
        guard count == 3, frames.count == 3 else { throw .wrongFrameCount(count) }
        do {
            subject = try Subject(bytes: frames[0])
        } catch {
            throw .invalidSubject(error)
        }
        do {
            headers = try HeaderBlock.decode(frames[1], limit: limits.maxHeaderBytes)
        } catch {
            throw .malformedHeaders(error)
        }
        guard frames[2].count <= limits.maxPayloadBytes else {
            throw .payloadTooLarge(size: frames[2].count, limit: limits.maxPayloadBytes)
        }
        payload = frames[2]
    }

    /// Validates a received ZeroMQ message (see ``init(frames:partCount:limits:)``).
    public init(_ message: Multipart, limits: BusLimits = .default) throws(EnvelopeError) {
        try self.init(frames: message.frames, partCount: message.partCount, limits: limits)
    }

    /// Decodes the payload as `type`, in the encoding the `Content-Type` header names. Inlinable so that
    /// callers get it specialized for their message type.
    @inlinable
    public func decode<M: SwiftProtobuf.Message>(_ type: M.Type) throws(EnvelopeError) -> M {
        guard let contentType = ContentType(headers: headers) else {
            throw .unsupportedContentType(headers[Headers.Name.contentType] ?? "")
        }
        do {
            switch contentType {
            case .protobuf: return try M(serializedBytes: payload)
            case .json: return try M(jsonUTF8Bytes: payload, options: Self.jsonOptions)
            }
        } catch {
            throw .undecodablePayload(messageType: M.protoMessageName, reason: "\(error)")
        }
    }

    /// JSON payloads may carry fields a newer publisher added, as binary ones may.
    @usableFromInline
    static let jsonOptions: JSONDecodingOptions = {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return options
    }()

    /// The message id header, the key of ingest's deduplication.
    public var msgID: String? { headers[Headers.Name.msgID] }
}
