import Curl
import Foundation
import LeadflowDomain
import LeadflowProto
import LeadflowSecrets

/// Sends SMS actions through a Twilio-style provider API: one form `POST To=…&From=…&Body=…` per dispatch with
/// HTTP basic auth (account id and token) and `Idempotency-Key`.
public struct HTTPSMSDriver: DeliveryDriver {
    /// The provider's endpoint and credentials.
    public struct Configuration: Sendable {
        /// E.g. `https://api.twilio.com/2010-04-01/Accounts/<sid>/Messages.json`; the message id is read from the
        /// answer's `sid`.
        public var endpoint = ProviderEndpoint(messageIDField: "sid")
        /// The basic-auth user (Twilio's account SID). Required.
        public var accountID: String = ""
        /// The basic-auth password (Twilio's auth token). Required.
        public var authToken = Secret("")

        public init() {}

        public func validate() throws(HandlerConfigurationError) {
            try endpoint.validate(prefix: "sms_http")
            try HandlerConfigurationError.checkPresent(
                accountID, setting: "sms_http.account_id", hint: "the basic-auth user")
            try HandlerConfigurationError.checkPresent(
                authToken, setting: "sms_http.auth_token", hint: "the basic-auth password")
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
            let sms = try RenderedAction.sms(dispatch)
            let form = [("To", sms.to), ("From", sms.sender), ("Body", sms.body)]
                .map { "\($0)=\(Self.formEncoded($1))" }
                .joined(separator: "&")
            return configuration.endpoint.post(
                Array(form.utf8), contentType: "application/x-www-form-urlencoded",
                headers: ["Idempotency-Key": dispatch.deliveryKey],
                basicAuth: .init(user: configuration.accountID, password: configuration.authToken.revealed))
        }
    }

    /// `application/x-www-form-urlencoded` value encoding: unreserved characters as they are, every other byte
    /// of the UTF-8 form percent-encoded (so `+` and `&` in a message survive).
    static func formEncoded(_ value: String) -> String {
        PercentEncoding.encode(value, keeping: PercentEncoding.isUnreserved)
    }
}
