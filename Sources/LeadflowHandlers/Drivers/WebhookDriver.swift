import Curl
import LeadflowPipeline
import Foundation
import LeadflowDomain
import LeadflowProto
import LeadflowSecrets

/// Calls webhook actions: a JSON `POST` to the action's URL with its headers, signed with `Leadflow-Signature`
/// and carrying `Idempotency-Key`; the body is the action's rendered template, or the lead as protobuf JSON.
public struct WebhookDriver: DeliveryDriver {
    /// The signing secret and the limits of each call.
    public struct Configuration: Sendable {
        /// The HMAC-SHA256 key of `Leadflow-Signature`, shared with the receivers. Required.
        public var signingSecret = Secret("")
        public var connectTimeout: Duration = .seconds(5)
        public var timeout: Duration = .seconds(15)
        /// The receiver's answer is not used; anything larger than this is cut off as an error.
        public var maxResponseBodySize: Int = 64 << 10
        public var userAgent: String = "Leadflow-Webhook/1"

        public init() {}

        public func validate() throws(HandlerConfigurationError) {
            try HandlerConfigurationError.checkPresent(
                signingSecret, setting: "webhook.signing_secret", hint: "receivers verify Leadflow-Signature with it")
            try HandlerConfigurationError.checkPositive(connectTimeout, setting: "webhook.connect_timeout")
            try HandlerConfigurationError.checkPositive(timeout, setting: "webhook.timeout")
            guard maxResponseBodySize >= 0 else {
                throw HandlerConfigurationError(setting: "webhook.max_response_body_size", "cannot be negative")
            }
        }
    }

    let configuration: Configuration
    let client: ProviderClient

    /// `curl` carries the requests; share one per process. `now` gives the signature's timestamp.
    public init(configuration: Configuration, curl: CurlMulti, now: @escaping @Sendable () -> Date = Date.init) {
        self.configuration = configuration
        client = ProviderClient(curl: curl, now: now)
    }

    /// The origin of the action's URL: one receiver that is down does not hold up webhooks to the others.
    public func endpoint(for dispatch: Leadflow_V1_ActionDispatch) -> String? {
        guard case .webhook(let action)? = dispatch.config else { return nil }
        // Placeholders stand only in the path, query and fragment, so any lead gives the same origin.
        return EndpointOrigin.of(PipelineTemplate.render(action.url, lead: dispatch.lead, context: .url))
    }

    public func deliver(_ dispatch: Leadflow_V1_ActionDispatch, trace: TraceParent?) async -> DeliveryOutcome {
        await client.deliver(dispatch, trace: trace, messageIDField: nil) { dispatch throws(DeliveryFailure) in
            let webhook = try RenderedAction.webhook(dispatch)
            var headers = HTTPHeaders(webhook.headers.map { HTTPHeaders.Field(name: $0.name, value: $0.value) })
            if !headers.contains("Content-Type") { headers["Content-Type"] = "application/json" }
            if !headers.contains("User-Agent") { headers["User-Agent"] = configuration.userAgent }
            // Set last, so that an action's own headers cannot replace them.
            headers["Idempotency-Key"] = dispatch.deliveryKey
            let timestamp = Int64(client.now().timeIntervalSince1970.rounded(.down))
            headers[WebhookSignature.headerName] = WebhookSignature.header(
                secret: configuration.signingSecret.revealed, timestamp: timestamp, body: webhook.body)
            return HTTPRequest(
                method: .post, url: webhook.url, headers: headers, body: webhook.body,
                connectTimeout: configuration.connectTimeout, timeout: configuration.timeout,
                maxResponseBodySize: configuration.maxResponseBodySize)
        }
    }
}
