extension BusSecurity {
    /// Why a service may not bind `endpoints` (setting name, endpoint) with this security, empty when it may:
    /// a non-loopback tcp address needs CURVE (or `bus.allow_plaintext`), and CURVE needs an allow-list —
    /// without a ZAP handler libzmq would accept every client key.
    public func bindProblems(_ endpoints: [(setting: String, endpoint: String)]) -> [String] {
        if isCurve {
            guard allowListPath == nil else { return [] }
            return [
                "bus.curve_secret_key_file is set but bus.curve_allow is not: the sockets this service binds would "
                    + "accept every client key; name the allow-list file or directory of client public keys"
            ]
        }
        guard !allowPlaintext else { return [] }
        return endpoints.filter { !Self.staysOnThisHost($0.endpoint) }.map { setting, endpoint in
            "\(setting) binds \(endpoint) in plaintext: anyone who reaches it could publish; set "
                + "bus.curve_secret_key_file and bus.curve_allow (docs/security.md), bind a loopback address, "
                + "or set bus.allow_plaintext = true"
        }
    }

    /// Whether an endpoint cannot be reached from another host: `inproc://`, `ipc://`, or tcp on a loopback
    /// address (`127.0.0.0/8`, `::1`, `localhost`, the `lo` interface).
    public static func staysOnThisHost(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("inproc://") || endpoint.hasPrefix("ipc://") { return true }
        guard endpoint.hasPrefix("tcp://") else { return false }
        var host = endpoint.dropFirst("tcp://".count)
        // A tcp endpoint may name a source first: tcp://source;host:port — the bound address is the last part.
        if let semicolon = host.lastIndex(of: ";") { host = host[host.index(after: semicolon)...] }
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            return host[host.index(after: host.startIndex)..<close] == "::1"
        }
        if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        if host == "localhost" || host == "lo" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
