import ZeroMQ

/// Where a bus socket attaches: the stable side binds, the transient side connects.
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    case bind(String)
    case connect(String)

    func attach(_ socket: ZMQSocket) throws {
        switch self {
        case .bind(let address): try socket.bind(address)
        case .connect(let address): try socket.connect(address)
        }
    }

    public var description: String {
        switch self {
        case .bind(let address): "bind \(address)"
        case .connect(let address): "connect \(address)"
        }
    }
}
