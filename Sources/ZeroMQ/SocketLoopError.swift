/// Why a ``SocketLoop`` refused work.
public enum SocketLoopError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The loop is closing or closed; the message was not queued.
    case closed(name: String)
    /// This socket type cannot send (SUB, PULL).
    case cannotSend(name: String, type: SocketType)

    public var description: String {
        switch self {
        case .closed(let name): "socket loop '\(name)' is closed"
        case .cannotSend(let name, let type): "socket loop '\(name)' is a \(type) socket, which cannot send"
        }
    }
}
