import FlyingSocks
import Foundation

/// Loopback ports for tests that need an address where nothing answers.
public enum LoopbackPort {
    /// A 127.0.0.1 port the kernel just handed out and that nothing listens on any more: connecting is refused.
    ///
    /// The socket is bound (so the kernel picks a free port), read and closed; another process could take the port
    /// in between, which on a test machine is unlikely enough to accept.
    public static func unused() throws -> UInt16 {
        let socket = try Socket(domain: AF_INET, type: .stream)
        defer { try? socket.close() }
        try socket.bind(to: sockaddr_in.inet(ip4: "127.0.0.1", port: 0))
        guard case .ip4(_, let port) = try socket.sockname() else {
            throw SocketError.unsupportedAddress
        }
        return port
    }
}
