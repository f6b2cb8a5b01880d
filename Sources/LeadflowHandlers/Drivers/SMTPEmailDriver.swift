import Curl
import Foundation
import LeadflowDomain
import LeadflowProto
import LeadflowSecrets

/// Sends email actions over SMTP with libcurl: one RFC 5322 message per dispatch, submitted through `CurlMulti`.
public struct SMTPEmailDriver: DeliveryDriver {
    /// Where and how to submit: the server, TLS, credentials, timeouts and the Message-ID domain.
    public struct Configuration: Sendable {
        /// `smtp://host:587` (STARTTLS per `tls`) or `smtps://host:465`; a path sets the EHLO domain.
        public var url: String = "smtp://127.0.0.1:25"
        /// STARTTLS on `smtp://`: `required` (the default) refuses to send without it.
        public var tls: SMTPRequest.TLSPolicy = .required
        /// SMTP AUTH user name; empty: no authentication.
        public var username: String = ""
        public var password = Secret("")
        public var connectTimeout: Duration = .seconds(10)
        /// The limit on one whole submission, greeting to final reply.
        public var timeout: Duration = .seconds(60)
        /// The domain of every `Message-ID: <idempotency-key@domain>`.
        public var messageIDDomain: String = "leadflow"

        public init() {}

        public func validate() throws(HandlerConfigurationError) {
            try HandlerConfigurationError.checkURL(url, setting: "smtp.url", schemes: ["smtp", "smtps"])
            if username.isEmpty != password.isEmpty {
                throw HandlerConfigurationError(
                    setting: username.isEmpty ? "smtp.username" : "smtp.password",
                    "user name and password go together: set both or neither")
            }
            try HandlerConfigurationError.checkPositive(connectTimeout, setting: "smtp.connect_timeout")
            try HandlerConfigurationError.checkPositive(timeout, setting: "smtp.timeout")
            let isDomain = messageIDDomain.utf8.allSatisfy { byte in
                PercentEncoding.isUnreserved(byte) && byte != UInt8(ascii: "_") && byte != UInt8(ascii: "~")
            }
            guard !messageIDDomain.isEmpty, isDomain else {
                throw HandlerConfigurationError(
                    setting: "smtp.message_id_domain", "must be a domain such as leadflow or mail.example.com")
            }
        }
    }

    let configuration: Configuration
    let client: ProviderClient
    let origin: String?

    /// `curl` carries the submissions; share one per process. `now` stamps the `Date` field.
    public init(configuration: Configuration, curl: CurlMulti, now: @escaping @Sendable () -> Date = Date.init) {
        self.configuration = configuration
        client = ProviderClient(curl: curl, now: now)
        origin = EndpointOrigin.of(configuration.url)
    }

    /// The SMTP server: every submission goes there.
    public func endpoint(for dispatch: Leadflow_V1_ActionDispatch) -> String? {
        origin
    }

    public func deliver(_ dispatch: Leadflow_V1_ActionDispatch, trace: TraceParent?) async -> DeliveryOutcome {
        await client.deliver(dispatch) { dispatch throws(DeliveryFailure) in
            let email = try RenderedAction.email(dispatch)
            let message = MailMessage(
                from: email.sender, to: email.to, replyTo: email.replyTo, subject: email.subject, text: email.text,
                html: email.html,
                messageID: MailMessage.messageIDLocalPart(dispatch.deliveryKey) + "@" + configuration.messageIDDomain,
                date: client.now())
            return SMTPRequest(
                url: configuration.url, tls: configuration.tls,
                credentials: configuration.username.isEmpty
                    ? nil : .init(user: configuration.username, password: configuration.password.revealed),
                from: MailMessage.bareAddress(email.sender), recipients: [MailMessage.bareAddress(email.to)],
                message: message.bytes, connectTimeout: configuration.connectTimeout, timeout: configuration.timeout)
        }
    }
}
