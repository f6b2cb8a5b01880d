import CZeroMQ

/// One ZeroMQ socket, owned by exactly one thread.
///
/// libzmq sockets are not thread-safe, so this class is deliberately not `Sendable`: create it on the thread
/// that uses it (``SocketLoop`` does so for async code) and let it die there. Multipart messages are sent and
/// received whole — libzmq delivers all parts or none.
public final class ZMQSocket {
    public let type: SocketType
    let context: ZMQContext
    var handle: UnsafeMutableRawPointer?

    /// Creates a socket of `type` in `context` and applies `options`.
    public init(context: ZMQContext, type: SocketType, options: SocketOptions = SocketOptions()) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError(operation: "zmq_socket", code: zmq_errno(), context: type.description)
        }
        self.type = type
        self.context = context
        self.handle = handle
        do {
            try apply(options)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Closes the socket; queued outbound messages get the configured linger to leave. Idempotent.
    public func close() {
        guard let handle else { return }
        zmq_close(handle)
        self.handle = nil
    }

    var open: UnsafeMutableRawPointer {
        get throws(ZMQError) {
            guard let handle else { throw ZMQError(operation: "socket", code: ENOTSOCK, context: "socket is closed") }
            return handle
        }
    }

    // MARK: Endpoints

    /// Binds to an endpoint such as `tcp://127.0.0.1:4222`, `tcp://127.0.0.1:*`, `ipc:///run/x.sock` or
    /// `inproc://name`.
    public func bind(_ endpoint: String) throws(ZMQError) {
        let handle = try open
        _ = try ZMQError.check("zmq_bind", context: endpoint) { zmq_bind(handle, endpoint) }
    }

    /// Connects to an endpoint; libzmq reconnects by itself when the peer goes away.
    public func connect(_ endpoint: String) throws(ZMQError) {
        let handle = try open
        _ = try ZMQError.check("zmq_connect", context: endpoint) { zmq_connect(handle, endpoint) }
    }

    public func unbind(_ endpoint: String) throws(ZMQError) {
        let handle = try open
        _ = try ZMQError.check("zmq_unbind", context: endpoint) { zmq_unbind(handle, endpoint) }
    }

    public func disconnect(_ endpoint: String) throws(ZMQError) {
        let handle = try open
        _ = try ZMQError.check("zmq_disconnect", context: endpoint) { zmq_disconnect(handle, endpoint) }
    }

    /// The endpoint last bound, with a wildcard port resolved (`tcp://127.0.0.1:*` → the actual port).
    public var lastEndpoint: String {
        get throws(ZMQError) { try stringOption(ZMQ_LAST_ENDPOINT, name: "ZMQ_LAST_ENDPOINT") }
    }

    /// SUB only: receive messages whose first frame starts with `prefix` (empty: everything).
    public func subscribe(_ prefix: [UInt8]) throws(ZMQError) {
        try setBytes(ZMQ_SUBSCRIBE, prefix, name: "ZMQ_SUBSCRIBE")
    }

    public func unsubscribe(_ prefix: [UInt8]) throws(ZMQError) {
        try setBytes(ZMQ_UNSUBSCRIBE, prefix, name: "ZMQ_UNSUBSCRIBE")
    }

    // MARK: Sending

    /// Sends one multipart message. With `dontWait`, returns `false` instead of blocking when the message
    /// cannot be queued now (high-water mark, no peer); once the first part is accepted, the rest are too.
    @discardableResult
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws(ZMQError) -> Bool {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        let handle = try open
        let last = frames.count - 1
        for index in 0...last {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if index < last { flags |= ZMQ_SNDMORE }
            let sent = try frames[index].withUnsafeBytes { buffer in
                Result { () throws(ZMQError) in try Self.sendFrame(handle, buffer, flags: flags) }
            }.get()
            if !sent {
                // libzmq only refuses the first part of a message: the others follow an accepted one.
                precondition(index == 0, "libzmq refused a later part of a multipart message")
                return false
            }
        }
        return true
    }

    /// Sends one frame from raw memory; `more` announces further parts of the same message.
    @discardableResult
    public func sendFrame(_ buffer: UnsafeRawBufferPointer, more: Bool, dontWait: Bool = false) throws(ZMQError) -> Bool {
        let handle = try open
        var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
        if more { flags |= ZMQ_SNDMORE }
        return try Self.sendFrame(handle, buffer, flags: flags)
    }

    @inline(__always)
    static func sendFrame(_ handle: UnsafeMutableRawPointer, _ buffer: UnsafeRawBufferPointer, flags: Int32) throws(ZMQError) -> Bool {
        while true {
            if zmq_send(handle, buffer.baseAddress, buffer.count, flags) >= 0 { return true }
            let code = zmq_errno()
            switch code {
            case EINTR: continue
            case EAGAIN: return false
            default: throw ZMQError(operation: "zmq_send", code: code)
            }
        }
    }

    // MARK: Receiving

    /// Receives one whole multipart message into `frames` (replacing its contents; when nothing is received
    /// its contents are unspecified).
    ///
    /// Returns the number of parts the message had, or `nil` when `dontWait` is set and nothing is waiting
    /// (or the receive time-out expired). Parts beyond `maxFrames` are read and discarded — a hostile peer
    /// cannot make the receiver hold an unbounded message — but still counted, so callers can reject it.
    ///
    /// A receiver that lets go of the previous message's frames before the next receive pays no allocation:
    /// a frame whose storage nobody else holds any more is refilled in place (see ``refill(_:from:count:)``).
    public func receive(into frames: inout [[UInt8]], maxFrames: Int = 16, dontWait: Bool = false) throws(ZMQError) -> Int? {
        try receive(into: &frames, maxFrames: maxFrames, dontWait: dontWait, property: nil)?.parts
    }

    /// Receives like ``receive(into:maxFrames:dontWait:)`` and also reads one metadata property of the
    /// message (`zmq_msg_gets`), such as `"User-Id"` — the name a ZAP handler gave the connection it came
    /// over — or `"Peer-Address"`. The property is `nil` when the connection has none.
    public func receive(
        into frames: inout [[UInt8]], maxFrames: Int = 16, dontWait: Bool = false, property: String?
    ) throws(ZMQError) -> (parts: Int, property: String?)? {
        let handle = try open
        var value: String?
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        var count = 0
        var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
        while true {
            let size = zmq_msg_recv(&message, handle, flags)
            if size < 0 {
                let code = zmq_errno()
                if code == EINTR { continue }
                if code == EAGAIN && count == 0 { return nil }
                throw ZMQError(operation: "zmq_msg_recv", code: code)
            }
            count += 1
            if let property, value == nil, let found = zmq_msg_gets(&message, property) {
                // A ROUTER's own identity part may carry no metadata; the peer's parts do.
                value = String(cString: found)
            }
            if count <= maxFrames {
                if count <= frames.count {
                    Self.refill(&frames[count - 1], from: &message, count: Int(size))
                } else {
                    frames.append(Self.copyBytes(of: &message, count: Int(size)))
                }
            }
            if zmq_msg_more(&message) == 0 {
                let kept = min(count, maxFrames)
                if frames.count > kept { frames.removeLast(frames.count - kept) }
                return (count, value)
            }
            // The remaining parts are already here (atomic delivery); never block for them.
            flags = ZMQ_DONTWAIT
        }
    }

    /// Receives one whole multipart message; `nil` when `dontWait` is set and nothing is waiting.
    public func receive(maxFrames: Int = 16, dontWait: Bool = false) throws(ZMQError) -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        guard try receive(into: &frames, maxFrames: maxFrames, dontWait: dontWait) != nil else { return nil }
        return frames
    }

    /// Replaces `frame`'s bytes with the message's. Its storage is reused when no other array shares it and
    /// it is not much larger than needed (Swift copies shared storage on write, so a frame the caller still
    /// holds is never touched); otherwise a fresh array is made, so one huge frame does not pin its capacity.
    @inline(__always)
    static func refill(_ frame: inout [UInt8], from message: inout zmq_msg_t, count: Int) {
        guard count > 0, let source = zmq_msg_data(&message) else {
            frame = []
            return
        }
        guard frame.capacity >= count, frame.capacity <= max(4 * count, 4096) else {
            frame = copyBytes(of: &message, count: count)
            return
        }
        frame.removeAll(keepingCapacity: true)
        frame.append(contentsOf: UnsafeRawBufferPointer(start: source, count: count))
    }

    @inline(__always)
    static func copyBytes(of message: inout zmq_msg_t, count: Int) -> [UInt8] {
        guard count > 0, let source = zmq_msg_data(&message) else { return [] }
        return Array(UnsafeRawBufferPointer(start: source, count: count))
    }

    // MARK: Readiness

    /// Whether a message can be received (`ZMQ_POLLIN`) or sent (`ZMQ_POLLOUT`) without blocking right now.
    public var readiness: (readable: Bool, writable: Bool) {
        get throws(ZMQError) {
            let events = try int32Option(ZMQ_EVENTS, name: "ZMQ_EVENTS")
            return (events & Int32(ZMQ_POLLIN) != 0, events & Int32(ZMQ_POLLOUT) != 0)
        }
    }
}
