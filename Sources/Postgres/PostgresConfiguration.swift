/// How to reach a PostgreSQL server: a `postgres://` URL plus the settings the wrapper adds to it.
///
/// Accepted URLs: `postgres://user:password@host:port/database?sslmode=require`, with `postgresql://` as an
/// alias; a unix socket directory as `?host=/path` or a percent-encoded host (`%2Fvar%2Frun%2Fpostgresql`);
/// any other libpq keyword as a query parameter. The password never appears in `description`, in a mirror,
/// or in any error this type or the connection throws.
public struct PostgresConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var url: String
    /// How long to wait for a connection; libpq rounds up to whole seconds.
    public var connectTimeout: Duration = .seconds(10)
    /// Shown in `pg_stat_activity`; a URL `application_name` parameter takes precedence.
    public var applicationName: String = "leadflow"
    /// Server settings for every session (`plan_cache_mode`, `statement_timeout`, …), sent with the startup
    /// packet as libpq's `options` (`-c name=value`), so they cost no round trip; an `options` parameter in
    /// the URL comes after them, so what the URL sets wins.
    public var sessionSettings: [String: String] = [:]

    public init(
        url: String, connectTimeout: Duration = .seconds(10), applicationName: String = "leadflow",
        sessionSettings: [String: String] = [:]
    ) {
        self.url = url
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
        self.sessionSettings = sessionSettings
    }

    /// Checks the URL and settings, throwing a `.configuration` error that names what is wrong.
    public func validate() throws(PostgresError) {
        _ = try connectionParameters()
    }

    /// The URL with the password replaced by `***`, safe for logs.
    public var redactedURL: String {
        (try? PostgresURL(parsing: url))?.redacted ?? "<invalid PostgreSQL URL>"
    }

    /// The database the URL names, if any (libpq defaults it to the user name).
    public var database: String? {
        (try? PostgresURL(parsing: url))?.database
    }

    /// The same configuration pointed at another database on the same server.
    public func replacingDatabase(_ database: String) throws(PostgresError) -> PostgresConfiguration {
        var parsed = try PostgresURL(parsing: url)
        parsed.database = database
        var copy = self
        copy.url = parsed.render(revealingPassword: true)
        return copy
    }

    public var description: String {
        "PostgresConfiguration(url: \(redactedURL), connectTimeout: \(connectTimeout), "
            + "applicationName: \(applicationName), sessionSettings: \(sessionSettings.sorted { $0.key < $1.key }))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "url": redactedURL, "connectTimeout": connectTimeout, "applicationName": applicationName,
                "sessionSettings": sessionSettings,
            ])
    }

    /// The validated keyword/value pairs for `PQconnectdbParams`, plus the password so messages can be
    /// scrubbed of it.
    func connectionParameters() throws(PostgresError) -> ConnectionParameters {
        let parsed = try PostgresURL(parsing: url)
        let (seconds, attoseconds) = connectTimeout.components
        guard seconds > 0 || attoseconds > 0, seconds < 86_400 else {
            throw PostgresError(
                kind: .configuration, message: "connect timeout must be between 1 second and 1 day, got \(connectTimeout)")
        }
        guard applicationName.utf8.count <= 63, !applicationName.utf8.contains(0) else {
            throw PostgresError(
                kind: .configuration,
                message: "application name must be at most 63 bytes (PostgreSQL truncates longer names)")
        }
        var pairs: [(String, String)] = []
        if let host = parsed.host { pairs.append(("host", host)) }
        if let port = parsed.port { pairs.append(("port", String(port))) }
        if let user = parsed.user { pairs.append(("user", user)) }
        if let password = parsed.password { pairs.append(("password", password)) }
        if let database = parsed.database { pairs.append(("dbname", database)) }
        pairs.append(("connect_timeout", String(max(1, seconds + (attoseconds > 0 ? 1 : 0)))))
        pairs.append(("application_name", applicationName))
        // Results are decoded as UTF-8 text, so the session encoding is not negotiable.
        pairs.append(("client_encoding", "UTF8"))
        var options = try Self.commandLineOptions(sessionSettings)
        for (key, value) in parsed.options where key != "client_encoding" {
            if key == "options" {
                options = options.isEmpty ? value : options + " " + value
                continue
            }
            pairs.removeAll { $0.0 == key }
            pairs.append((key, value))
        }
        if !options.isEmpty { pairs.append(("options", options)) }
        for (key, value) in pairs where value.utf8.contains(0) {
            throw PostgresError(kind: .configuration, message: "invalid PostgreSQL URL: \(key) contains a NUL byte")
        }
        return ConnectionParameters(pairs: pairs, password: parsed.password, redactedURL: parsed.redacted)
    }
}

extension PostgresConfiguration {
    /// `settings` as libpq `options`: `-c name=value` each, sorted by name, spaces and backslashes in values
    /// escaped with a backslash (libpq's rule). A name must be a server setting's name: letters, digits,
    /// `_` and `.` (for extensions' settings).
    static func commandLineOptions(_ settings: [String: String]) throws(PostgresError) -> String {
        var options: [String] = []
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, name.utf8.allSatisfy({ byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                    || byte == 0x5F || byte == 0x2E
            }) else {
                throw PostgresError(
                    kind: .configuration, message: "invalid session setting name \"\(name)\": letters, digits, _ and . only")
            }
            var escaped = ""
            for character in value {
                if character == " " || character == "\\" { escaped.append("\\") }
                escaped.append(character)
            }
            options.append("-c \(name)=\(escaped)")
        }
        return options.joined(separator: " ")
    }
}

/// Keyword/value pairs ready for libpq, and what is needed to keep the password out of messages.
struct ConnectionParameters: Sendable {
    var pairs: [(String, String)]
    var password: String?
    var redactedURL: String

    /// Removes the password from a message that libpq or the server produced, in case either echoes it.
    func scrub(_ message: String) -> String {
        guard let password, password.count >= 1 else { return message }
        return message.replacing(password, with: "***")
    }
}
