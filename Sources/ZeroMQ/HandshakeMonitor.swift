import CZeroMQ
import Synchronization

/// Watches one socket's failed handshakes (`zmq_socket_monitor`): a plaintext peer on a CURVE socket, a key
/// the ZAP handler refused, a protocol error. Owned, like the socket it watches, by one thread.
///
/// libzmq reports these only through a monitor: the handshake fails before any message or ZAP request could
/// tell the application, so this is how a refused peer is counted and logged.
final class HandshakeMonitor {
    /// One failed handshake: what failed and the local endpoint it failed on (libzmq does not name the peer).
    struct Failure: Sendable, Equatable {
        enum Kind: String, Sendable {
            /// The peer spoke another mechanism (plaintext against CURVE) or broke the protocol.
            case protocolError = "protocol"
            /// The ZAP handler refused the peer's credentials.
            case authentication = "authentication"
            /// The connection dropped during the handshake (e.g. CURVE keys that do not match).
            case noDetail = "no detail"
        }
        let kind: Kind
        let endpoint: String
    }

    private static let sequence = Atomic<Int>(0)
    private let pair: ZMQSocket

    /// Starts monitoring `socket`; its events arrive on a PAIR socket this monitor owns.
    init(watching socket: ZMQSocket, context: ZMQContext) throws(ZMQError) {
        let endpoint = "inproc://leadflow.handshake-monitor.\(Self.sequence.add(1, ordering: .relaxed).newValue)"
        let handle = try socket.open
        let events = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
            | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
        _ = try ZMQError.check("zmq_socket_monitor", context: endpoint) {
            zmq_socket_monitor(handle, endpoint, Int32(events))
        }
        var options = SocketOptions()
        options.lingerMilliseconds = 0
        options.heartbeatIntervalMilliseconds = nil
        options.heartbeatTimeoutMilliseconds = nil
        pair = try ZMQSocket(context: context, type: .pair, options: options)
        try pair.connect(endpoint)
    }

    /// Adds the monitor's socket to `poller`, readable; returns its index.
    func register(in poller: inout ZMQPoller) -> Int { poller.add(pair, events: .readable) }

    /// Every failure reported since the last call, without blocking.
    func drain() throws(ZMQError) -> [Failure] {
        var failures: [Failure] = []
        while let frames = try pair.receive(maxFrames: 2, dontWait: true) {
            guard frames.count == 2, frames[0].count >= 6 else { continue }
            let event = UInt16(frames[0][0]) | UInt16(frames[0][1]) << 8
            let kind: Failure.Kind
            switch Int32(event) {
            case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: kind = .protocolError
            case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: kind = .authentication
            default: kind = .noDetail
            }
            failures.append(Failure(kind: kind, endpoint: String(decoding: frames[1], as: UTF8.self)))
        }
        return failures
    }

    func close() { pair.close() }
}
