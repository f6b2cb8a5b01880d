import Curl
import Foundation
import LeadflowDomain
import LeadflowProto
import LeadflowSecrets

/// Sends email actions through a JSON provider API: one `POST {from, to, subject, text, html, reply_to,
/// headers}` per dispatch with `Authorization: Bearer <token>` and `Idempotency-Key`; `headers` holds the
/// one-click unsubscribe fields when they are configured.
public struct HTTPEmailDriver: DeliveryDriver {
    /// The provider's endpoint and API token.
    public struct Configuration: Sendable {
        /// E.g. `https://api.mail.example/v1/emails`; the message id is read from the answer's `id`.
        public var endpoint = ProviderEndpoint(messageIDField: "id")
        /// Sent as `Authorization: Bearer <apiToken>`. Required.
        public var apiToken = Secret("")
        /// The one-click unsubscribe fields every email asks the provider to add; nil: none.
        public var listUnsubscribe: ListUnsubscribe?

        public init() {}

        public func validate() throws(HandlerConfigurationError) {
            try endpoint.validate(prefix: "email_http")
            try HandlerConfigurationError.checkPresent(
                apiToken, setting: "email_http.api_token", hint: "the provider's API key")
            try listUnsubscribe?.validate()
        }
    }

    let configuration: Configuration
    let client: ProviderClient
    let origin: String?

    /// `curl` carries the requests; share one per process. `now` is the clock `Retry-After` dates are read by.
    public init(configuration: Configuration, curl: CurlMulti, now: @escaping @Sendable () -> Date = Date.init) {
        self.configuration = configuration
        client = ProviderClient(curl: curl, now: now)
        origin = EndpointOrigin.of(configuration.endpoint.url)
    }

    /// The provider API's origin: every request goes there.
    public func endpoint(for dispatch: Leadflow_V1_ActionDispatch) -> String? {
        origin
    }

    public func deliver(_ dispatch: Leadflow_V1_ActionDispatch, trace: TraceParent?) async -> DeliveryOutcome {
        await client.deliver(dispatch, trace: trace, messageIDField: configuration.endpoint.messageIDField) {
            dispatch throws(DeliveryFailure) in
            var email = try RenderedAction.email(dispatch)
            let fields = configuration.listUnsubscribe?.headers(org: dispatch.org, leadID: dispatch.lead.leadID) ?? []
            if !fields.isEmpty { email.headers = Dictionary(uniqueKeysWithValues: fields) }
            guard let body = try? Self.encoder.encode(email) else {
                throw DeliveryFailure(.invalidAction, "the email cannot be written as JSON")
            }
            return configuration.endpoint.post(
                Array(body), contentType: "application/json",
                headers: ["Authorization": "Bearer \(configuration.apiToken.revealed)", "Idempotency-Key": dispatch.deliveryKey])
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
