import SwiftProtobuf

/// Several protobuf messages in one payload: protobuf's standard length-delimited stream — each message's size
/// as a base-128 varint, then its bytes, the form SwiftProtobuf's `BinaryDelimited` writes and reads — marked
/// by `Content-Type: application/x-protobuf-delimited`. Publishers of many small messages (measurements) send
/// one bus message per batch instead of one per message.
public struct DelimitedStream: Sendable, Equatable {
    /// The media type that marks a length-delimited payload.
    public static let contentType = "application/x-protobuf-delimited"

    /// The stream as it travels.
    public private(set) var bytes: [UInt8] = []
    /// Messages in the stream.
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Appends `message`, encoded.
    public mutating func append(_ message: some SwiftProtobuf.Message) throws {
        let encoded: [UInt8] = try message.serializedBytes()
        append(encoded: encoded)
    }

    /// Appends a message already encoded.
    public mutating func append(encoded: [UInt8]) {
        var size = UInt64(encoded.count)
        while size >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: size) | 0x80)
            size >>= 7
        }
        bytes.append(UInt8(size))
        bytes.append(contentsOf: encoded)
        count += 1
    }

    /// Empties the stream, keeping its storage for the next batch.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Every message of `payload`, in order; ``EnvelopeError/malformedStream(offset:)`` when a size runs past the
    /// end of the payload or is not a varint, ``EnvelopeError/undecodablePayload(messageType:reason:)`` when a
    /// message is not a valid `M`.
    public static func decode<M: SwiftProtobuf.Message>(_ type: M.Type, from payload: [UInt8]) throws(EnvelopeError) -> [M] {
        let ranges = try messageRanges(in: payload)
        var messages: [M] = []
        messages.reserveCapacity(ranges.count)
        let bytes = payload.span.bytes
        for range in ranges {
            do {
                messages.append(try M(serializedBytes: bytes.extracting(range)))
            } catch {
                throw .undecodablePayload(
                    messageType: M.protoMessageName, reason: "message \(messages.count + 1) of the stream: \(error)")
            }
        }
        return messages
    }

    /// How many messages `payload` holds, without decoding them; nil when it is not a well-formed stream.
    public static func count(in payload: [UInt8]) -> Int? {
        try? messageRanges(in: payload).count
    }

    /// The byte range of each message in `payload`.
    static func messageRanges(in payload: [UInt8]) throws(EnvelopeError) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var offset = 0
        while offset < payload.count {
            let start = offset
            var size: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                // A varint of more than 10 bytes, or one the payload cuts, is no size.
                guard offset < payload.count, shift < 64 else { throw .malformedStream(offset: start) }
                let byte = payload[offset]
                offset += 1
                size |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            guard size <= UInt64(payload.count - offset) else { throw .malformedStream(offset: start) }
            ranges.append(offset..<offset + Int(size))
            offset += Int(size)
        }
        return ranges
    }
}
