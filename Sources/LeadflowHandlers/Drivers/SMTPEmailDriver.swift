import Curl
import Foundation
import LeadflowDomain
import LeadflowProto
import LeadflowSecrets

/// Sends email actions over SMTP with libcurl: one RFC 5322 message per dispatch, submitted on one of up to
/// `maxConnections` sessions of its own `SMTPSessionPool`, whose connections are kept and reused.
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
        /// SMTP sessions (connections) at once; submissions beyond wait for one, their timeouts not yet started.
        public var maxConnections: Int = 32
        /// How long a connection may stay without a message before it is closed (`QUIT`).
        public var idleTimeout: Duration = .seconds(30)
        /// One-click unsubscribe fields for every message (`unsubscribe.*`); nil: none.
        public var listUnsubscribe: ListUnsubscribe?

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
            try HandlerConfigurationError.checkPositive(idleTimeout, setting: "smtp.idle_timeout")
            guard (1...10_000).contains(maxConnections) else {
                throw HandlerConfigurationError(
                    setting: "smtp.max_connections", "must be between 1 and 10000 (got \(maxConnections))")
            }
            let isDomain = messageIDDomain.utf8.allSatisfy { byte in
                PercentEncoding.isUnreserved(byte) && byte != UInt8(ascii: "_") && byte != UInt8(ascii: "~")
            }
            guard !messageIDDomain.isEmpty, isDomain else {
                throw HandlerConfigurationError(
                    setting: "smtp.message_id_domain", "must be a domain such as leadflow or mail.example.com")
            }
            try listUnsubscribe?.validate()
        }
    }

    let configuration: Configuration
    let sessions: SMTPSessionPool
    let now: @Sendable () -> Date
    let origin: String?

    /// Starts no session yet: they open as deliveries need them. `now` stamps the `Date` field. Call
    /// ``shutdown()`` when done, which closes the sessions.
    public init(configuration: Configuration, now: @escaping @Sendable () -> Date = Date.init) {
        self.configuration = configuration
        self.now = now
        sessions = SMTPSessionPool(
            maxSessions: configuration.maxConnections, idleTimeout: configuration.idleTimeout, name: "leadflow.smtp")
        origin = EndpointOrigin.of(configuration.url)
    }

    /// The sessions at the moment: started, busy, and submissions waiting for one.
    public var sessionStatistics: SMTPSessionPool.Statistics { sessions.statistics }

    /// Ends every session once its submission (if any) has finished: each connection gets `QUIT`.
    public func shutdown() async {
        await sessions.shutdown()
    }

    /// The SMTP server: every submission goes there.
    public func endpoint(for dispatch: Leadflow_V1_ActionDispatch) -> String? {
        origin
    }

    /// Builds the submission (a dispatch it cannot be built for fails permanently), submits it, and classifies
    /// the server's reply, or the error.
    public func deliver(_ dispatch: Leadflow_V1_ActionDispatch, trace: TraceParent?) async -> DeliveryOutcome {
        let mail: SMTPRequest
        do throws(DeliveryFailure) {
            mail = try submission(for: dispatch)
        } catch {
            return .failedPermanently(error)
        }
        do {
            return OutcomeClassifier.classify(try await sessions.send(mail), server: mail.redactedURL)
        } catch {
            return OutcomeClassifier.classify(error)
        }
    }

    private func submission(for dispatch: Leadflow_V1_ActionDispatch) throws(DeliveryFailure) -> SMTPRequest {
        let email = try RenderedAction.email(dispatch)
        var message = MailMessage(
            from: email.sender, to: email.to, replyTo: email.replyTo, subject: email.subject, text: email.text,
            html: email.html,
            messageID: MailMessage.messageIDLocalPart(dispatch.deliveryKey) + "@" + configuration.messageIDDomain,
            date: now())
        message.listFields = configuration.listUnsubscribe?.fields(org: dispatch.org, leadID: dispatch.lead.leadID) ?? []
        return SMTPRequest(
            url: configuration.url, tls: configuration.tls,
            credentials: configuration.username.isEmpty
                ? nil : .init(user: configuration.username, password: configuration.password.revealed),
            from: MailMessage.bareAddress(email.sender), recipients: [MailMessage.bareAddress(email.to)],
            message: message.bytes, connectTimeout: configuration.connectTimeout, timeout: configuration.timeout)
    }
}
