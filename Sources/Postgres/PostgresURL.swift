/// The parsed form of a `postgres://` URL, kept internal so that the password only ever leaves it through
/// `connectionParameters` (for libpq) or a deliberate `render(revealingPassword: true)`.
struct PostgresURL: Sendable, Equatable {
    var user: String?
    var password: String?
    /// Host name, IP address, or an absolute unix socket directory (from `%2F…` or `?host=/…`).
    var host: String?
    var port: Int?
    var database: String?
    /// Further libpq keywords from the query string, in their original order.
    var options: [(key: String, value: String)]

    static func == (lhs: PostgresURL, rhs: PostgresURL) -> Bool {
        lhs.user == rhs.user && lhs.password == rhs.password && lhs.host == rhs.host && lhs.port == rhs.port
            && lhs.database == rhs.database && lhs.options.elementsEqual(rhs.options, by: { $0 == $1 })
    }

    /// Parses the URL; every error message names only the offending component, never the whole URL.
    init(parsing url: String) throws(PostgresError) {
        func fail(_ reason: String) -> PostgresError {
            PostgresError(kind: .configuration, message: "invalid PostgreSQL URL: \(reason)")
        }
        var rest = Substring(url)
        let lowered = url.lowercased()
        if lowered.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else if lowered.hasPrefix("postgresql://") {
            rest = rest.dropFirst("postgresql://".count)
        } else {
            throw fail("it must start with postgres:// or postgresql://")
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var authority = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = try Self.decode(userInfo[..<colon], component: "user name")
                password = try Self.decode(userInfo[userInfo.index(after: colon)...], component: "password")
            } else {
                user = try Self.decode(userInfo, component: "user name")
            }
            if user == "" { user = nil }
        }
        if authority.contains(",") { throw fail("multiple hosts are not supported") }
        var hostPart = authority
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("unterminated IPv6 address") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portPart = after.dropFirst()
            } else if !after.isEmpty {
                throw fail("unexpected characters after the IPv6 address")
            }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        let decodedHost = try Self.decode(hostPart, component: "host")
        host = decodedHost.isEmpty ? nil : decodedHost
        if let portPart {
            port = try Self.port(String(portPart))
        }
        let decodedPath = try Self.decode(path, component: "database name")
        database = decodedPath.isEmpty ? nil : decodedPath
        options = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else {
                throw fail("query parameter '\(pair.prefix(40))' has no value")
            }
            let key = try Self.decode(pair[..<equals], component: "query parameter name")
            let value = try Self.decode(pair[pair.index(after: equals)...], component: "value of \(key)")
            try apply(key: key, value: value)
        }
    }

    private mutating func apply(key: String, value: String) throws(PostgresError) {
        switch key {
        case "user": user = value
        case "password": password = value
        case "host": host = value
        case "port": port = try Self.port(value)
        case "dbname": database = value
        case "sslmode":
            let modes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
            guard modes.contains(value) else {
                throw PostgresError(
                    kind: .configuration,
                    message: "invalid PostgreSQL URL: sslmode '\(value)' is not one of \(modes.joined(separator: ", "))")
            }
            options.append((key, value))
        default:
            guard LibPQ.isConnectionKeyword(key) else {
                throw PostgresError(
                    kind: .configuration,
                    message: "invalid PostgreSQL URL: '\(key)' is not a libpq connection parameter")
            }
            options.removeAll { $0.key == key }
            options.append((key, value))
        }
    }

    private static func port(_ text: String) throws(PostgresError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw PostgresError(
                kind: .configuration,
                message: "invalid PostgreSQL URL: port '\(text.prefix(20))' is not a number between 1 and 65535")
        }
        return port
    }

    /// Percent-decodes one component; `+` stays a plus sign, as libpq treats it.
    private static func decode(_ text: Substring, component: String) throws(PostgresError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Hex.value(of:)), let low = iterator.next().flatMap(Hex.value(of:))
            else {
                throw PostgresError(
                    kind: .configuration, message: "invalid PostgreSQL URL: bad percent-encoding in the \(component)")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw PostgresError(
                kind: .configuration, message: "invalid PostgreSQL URL: the \(component) is not valid UTF-8")
        }
        return decoded
    }

    private static func encode(_ text: String, keepingSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlash:
                out.append("/")
            default:
                let hex = Hex.uppercaseDigits
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
            }
        }
        return out
    }

    /// Renders the URL again, with the real password (for libpq) or `***` in its place (for people).
    func render(revealingPassword: Bool) -> String {
        var text = "postgres://"
        if let user {
            text += Self.encode(user)
            if let password { text += ":" + (revealingPassword ? Self.encode(password) : "***") }
            text += "@"
        }
        var query: [(String, String)] = []
        if let host {
            if host.hasPrefix("/") {
                query.append(("host", host))
            } else if host.contains(":") {
                text += "[\(host)]"
            } else {
                text += Self.encode(host)
            }
        }
        if let port { text += ":\(port)" }
        text += "/"
        if let database { text += Self.encode(database) }
        query += options.map { ($0.key, $0.value) }
        if !query.isEmpty {
            text += "?" + query.map { "\(Self.encode($0.0))=\(Self.encode($0.1, keepingSlash: true))" }
                .joined(separator: "&")
        }
        return text
    }

    /// A copy of the URL that shows `***` where the password was.
    var redacted: String { render(revealingPassword: false) }
}
