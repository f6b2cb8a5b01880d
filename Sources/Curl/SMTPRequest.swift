/// An email submission as `CurlMulti` sends it over SMTP: the server, how it is secured, the credentials, the
/// envelope (sender and recipients) and the RFC 5322 message itself.
public struct SMTPRequest: Sendable {
    /// A user name and password for SMTP AUTH (PLAIN, LOGIN or what else the server offers); never printed.
    public typealias Credentials = HTTPRequest.BasicAuth

    /// Whether the session upgrades to TLS with STARTTLS; an `smtps://` URL is TLS from the first byte anyway.
    public enum TLSPolicy: String, Sendable, Hashable, CaseIterable {
        /// Plain text throughout: a relay on localhost, or tests.
        case none
        /// STARTTLS when the server offers it, plain text otherwise.
        case optional
        /// STARTTLS or nothing: without it the transfer fails with `CurlError.Kind.tls` before any credential
        /// or message is sent.
        case required
    }

    /// `smtp://host[:port][/ehlo-domain]` or `smtps://…`; other schemes are refused.
    public var url: String
    public var tls: TLSPolicy
    public var credentials: Credentials?
    /// The envelope sender (`MAIL FROM`), a bare address such as `sales@example.com`.
    public var from: String
    /// The envelope recipients (`RCPT TO`), bare addresses.
    public var recipients: [String]
    /// The message with its header, CRLF line endings; libcurl dot-stuffs lines that start with `.`.
    public var message: [UInt8]
    /// The limit on DNS resolution plus the TCP and TLS handshakes.
    public var connectTimeout: Duration
    /// The limit on the whole session, greeting to final reply.
    public var timeout: Duration

    public init(
        url: String,
        tls: TLSPolicy = .required,
        credentials: Credentials? = nil,
        from: String,
        recipients: [String],
        message: [UInt8],
        connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(60)
    ) {
        self.url = url
        self.tls = tls
        self.credentials = credentials
        self.from = from
        self.recipients = recipients
        self.message = message
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

extension SMTPRequest: CustomStringConvertible, CustomDebugStringConvertible {
    // Addresses and the message are personal data: only their counts and size are printed.
    public var description: String {
        "SMTP \(redactedURL) (tls: \(tls), \(recipients.count) recipients, \(message.count)-byte message)"
    }

    public var debugDescription: String { description }

    /// The URL without user info, query or fragment, for logs and error messages.
    public var redactedURL: String { Redaction.redactedURL(url) }
}
