/// Ingest's answer to one message: `+OK <msg-id>` once committed, or `-ERR <msg-id> <reason>`.
public enum Ack: Sendable, Hashable, CustomStringConvertible {
    case ok(msgID: String)
    case error(msgID: String, reason: String)

    static let okTag = Array("+OK".utf8)
    static let errorTag = Array("-ERR".utf8)

    public var msgID: String {
        switch self {
        case .ok(let id), .error(let id, _): id
        }
    }

    /// The reply frames after the ROUTER routing id: `+OK, id` or `-ERR, id, reason`.
    public var frames: [[UInt8]] {
        switch self {
        case .ok(let id): [Self.okTag, Array(id.utf8)]
        case .error(let id, let reason): [Self.errorTag, Array(id.utf8), Array(reason.utf8)]
        }
    }

    /// Parses reply frames as a DEALER receives them.
    public init(frames: [[UInt8]]) throws(AckError) {
        guard let tag = frames.first else { throw .malformed("no frames") }
        if tag == Self.okTag, frames.count == 2 {
            self = .ok(msgID: String(decoding: frames[1], as: UTF8.self))
        } else if tag == Self.errorTag, frames.count == 3 {
            self = .error(msgID: String(decoding: frames[1], as: UTF8.self), reason: String(decoding: frames[2], as: UTF8.self))
        } else {
            throw .malformed("expected '+OK, id' or '-ERR, id, reason' (\(frames.count) frames)")
        }
    }

    public var description: String {
        switch self {
        case .ok(let id): "+OK \(id)"
        case .error(let id, let reason): "-ERR \(id) '\(reason)'"
        }
    }
}

/// Why an acknowledged request failed without an answer.
public enum AckError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reply frames are not an ack.
    case malformed(String)
    /// The envelope has no `Nats-Msg-Id`, so its ack could not be matched.
    case missingMsgID
    /// No ack arrived in time; retry with the same msg-id.
    case timedOut(msgID: String)
    /// The requester was closed while waiting.
    case closed

    public var description: String {
        switch self {
        case .malformed(let detail): "malformed ack: \(detail)"
        case .missingMsgID: "envelope has no Nats-Msg-Id header; acknowledged requests need one"
        case .timedOut(let id): "no ack for \(id) in time"
        case .closed: "requester closed"
        }
    }
}
