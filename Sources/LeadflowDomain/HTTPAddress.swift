/// A `host:port` HTTP listening address (the collector's, the admin API's); the host is an IPv4 address
/// (`0.0.0.0` for every interface).
public struct HTTPAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    /// Parses `host:port`; `nil` when either part is missing or the port is not 0…65535.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return nil }
        self.host = host
        self.port = port
    }

    /// 127.0.0.0/8: only this machine can connect.
    public var isLoopback: Bool { host.hasPrefix("127.") }

    public var description: String { "\(host):\(port)" }
}
