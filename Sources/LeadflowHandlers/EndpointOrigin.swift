import Foundation

/// The origin of a provider URL (`scheme://host:port`, lower-cased, the scheme's default port filled in): what
/// names a provider endpoint's circuit breaker, so that every path and query of one server shares it.
enum EndpointOrigin {
    static let defaultPorts = ["http": 80, "https": 443, "smtp": 25, "smtps": 465]

    /// nil when `url` has no scheme or host, or a scheme without a known default port and no port of its own.
    static func of(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty,
            let port = components.port ?? defaultPorts[scheme]
        else { return nil }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed):\(port)"
    }
}
