import LeadflowSecrets

/// The socket options a production service sets, with the defaults Leadflow runs with.
///
/// Applied once, before `bind`/`connect`, by ``ZMQSocket/apply(_:)``. Durations are milliseconds as libzmq
/// takes them; `nil` leaves libzmq's own default.
public struct SocketOptions: Sendable, Equatable {
    /// Messages queued per peer before a send blocks (PUSH, DEALER) or drops (PUB).
    public var sendHighWaterMark: Int32 = 10_000
    /// Messages queued per peer on the receiving side.
    public var receiveHighWaterMark: Int32 = 10_000
    /// How long close waits to deliver queued messages; bounded so shutdown never hangs.
    public var lingerMilliseconds: Int32 = 1_000
    /// Queue only to completed connections, so PUSH never parks messages on a peer that is not there.
    public var immediate: Bool = true
    /// Inbound messages larger than this are dropped by libzmq and the peer disconnected (−1: no limit).
    /// The bus payload limit is 1 MiB; the extra room is for the subject and header frames.
    public var maxMessageSize: Int64 = 1_048_576 + 65_536 + 256
    /// Blocking send/receive time-outs (−1: block forever).
    public var sendTimeoutMilliseconds: Int32 = -1
    public var receiveTimeoutMilliseconds: Int32 = -1
    /// ZMTP heartbeats: a peer that stays silent longer than the time-out is disconnected.
    public var heartbeatIntervalMilliseconds: Int32? = 5_000
    public var heartbeatTimeoutMilliseconds: Int32? = 15_000
    public var heartbeatTTLMilliseconds: Int32? = nil
    /// Reconnect back-off for connecting sockets: starts at the interval and doubles up to the maximum.
    public var reconnectIntervalMilliseconds: Int32 = 100
    public var reconnectIntervalMaxMilliseconds: Int32 = 5_000
    /// ROUTER only: sending to an unknown peer fails with `EHOSTUNREACH` instead of dropping silently.
    public var routerMandatory: Bool = true
    /// CURVE encryption and authentication, when set.
    public var curve: CurveSecurity? = nil
    /// The ZAP domain a CURVE server's handshakes are asked under (`ZMQ_ZAP_DOMAIN`), so that one ZAP handler
    /// can admit a key to some sockets and not others.
    public var zapDomain: String? = nil

    public init() {}
}

/// CURVE settings for one side of a connection, keys in Z85 text form (40 characters).
public enum CurveSecurity: Sendable, Equatable, CustomStringConvertible {
    /// The binding side: its long-term key pair.
    case server(secretKey: Secret)
    /// The connecting side: its own key pair and the server's public key.
    case client(publicKey: String, secretKey: Secret, serverPublicKey: String)

    /// Secret keys never print (the options end up in logs and test failures).
    public var description: String {
        switch self {
        case .server: "server(secretKey: <redacted>)"
        case .client(let publicKey, _, let serverPublicKey):
            "client(publicKey: \(publicKey), secretKey: <redacted>, serverPublicKey: \(serverPublicKey))"
        }
    }
}
