import CZeroMQ

/// The ZeroMQ socket patterns Leadflow uses.
public enum SocketType: Sendable, CaseIterable, CustomStringConvertible {
    case pub, sub, push, pull, router, dealer, pair
    /// Strict request/reply; used by the ZAP handler, which libzmq talks to as a REQ peer.
    case rep

    var rawValue: Int32 {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pair: ZMQ_PAIR
        case .rep: ZMQ_REP
        }
    }

    /// Whether a socket of this type can receive messages (a PUB or PUSH socket cannot).
    public var canReceive: Bool { self != .pub && self != .push }
    /// Whether a socket of this type can send messages (a SUB or PULL socket cannot).
    public var canSend: Bool { self != .sub && self != .pull }

    public var description: String {
        switch self {
        case .pub: "PUB"
        case .sub: "SUB"
        case .push: "PUSH"
        case .pull: "PULL"
        case .router: "ROUTER"
        case .dealer: "DEALER"
        case .pair: "PAIR"
        case .rep: "REP"
        }
    }
}
