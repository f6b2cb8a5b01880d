import CZeroMQ

/// A failed libzmq call: the operation, the errno libzmq reported and its message.
public struct ZMQError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The libzmq function (or wrapper operation) that failed, e.g. `zmq_bind`.
    public let operation: String
    /// The `errno` value libzmq set.
    public let code: Int32
    /// Context the caller added, such as the endpoint; never a payload.
    public let context: String?

    public init(operation: String, code: Int32, context: String? = nil) {
        self.operation = operation
        self.code = code
        self.context = context
    }

    /// The context was shut down: every blocking call on its sockets returns this, so owners can close them.
    public var isContextTerminated: Bool { code == ETERM }
    /// A non-blocking call could not complete now (high-water mark reached, nothing to receive, timeout).
    public var isWouldBlock: Bool { code == EAGAIN }
    /// ROUTER_MANDATORY: the peer the message was addressed to is not connected.
    public var isHostUnreachable: Bool { code == EHOSTUNREACH }

    public var message: String { String(cString: zmq_strerror(code)) }

    public var description: String {
        if let context { return "\(operation) failed for \(context): \(message) (errno \(code))" }
        return "\(operation) failed: \(message) (errno \(code))"
    }

    /// Runs a libzmq call that returns -1 on error, retrying when a signal interrupted it.
    @inline(__always)
    static func check(
        _ operation: @autoclosure () -> String, context: @autoclosure () -> String? = nil, _ call: () -> Int32
    ) throws(ZMQError) -> Int32 {
        while true {
            let rc = call()
            if rc >= 0 { return rc }
            let code = zmq_errno()
            if code == EINTR { continue }
            throw ZMQError(operation: operation(), code: code, context: context())
        }
    }
}
