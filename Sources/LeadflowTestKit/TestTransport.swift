import Foundation

/// The ZeroMQ transports tests run over, each with a fresh address to bind.
public enum TestTransport: String, Sendable, CaseIterable {
    case tcp, ipc, inproc

    /// A new bind address: an ephemeral loopback port, a unique socket file, or a unique inproc name.
    /// After binding, read the socket's last endpoint to learn the tcp port.
    public func bindAddress() -> String {
        let unique = UUID().uuidString.prefix(12).lowercased()
        switch self {
        case .tcp: return "tcp://127.0.0.1:*"
        case .ipc: return "ipc://\(NSTemporaryDirectory())leadflow-test-\(unique).sock"
        case .inproc: return "inproc://leadflow-test-\(unique)"
        }
    }
}
