import Curl

/// Where an HTTP provider API takes messages, how long a call may take, and where its answer names the message.
public struct ProviderEndpoint: Sendable {
    /// The endpoint messages are POSTed to, `https://…` (or `http://` for a local relay). Required.
    public var url: String = ""
    /// The field of the provider's JSON answer that holds its message id (`ActionResult.provider_message_id`).
    public var messageIDField: String
    public var connectTimeout: Duration = .seconds(10)
    public var timeout: Duration = .seconds(30)

    public init(messageIDField: String) {
        self.messageIDField = messageIDField
    }

    /// Checks the settings, naming them under `prefix` (`sms_http.url`).
    public func validate(prefix: String) throws(HandlerConfigurationError) {
        try HandlerConfigurationError.checkURL(url, setting: "\(prefix).url", schemes: ["https", "http"])
        try HandlerConfigurationError.checkPositive(connectTimeout, setting: "\(prefix).connect_timeout")
        try HandlerConfigurationError.checkPositive(timeout, setting: "\(prefix).timeout")
    }

    /// A POST of `body` to the endpoint, answered in JSON.
    func post(
        _ body: [UInt8], contentType: String, headers: HTTPHeaders, basicAuth: HTTPRequest.BasicAuth? = nil
    ) -> HTTPRequest {
        var headers = headers
        headers["Content-Type"] = contentType
        headers["Accept"] = "application/json"
        return HTTPRequest(
            method: .post, url: url, headers: headers, body: body, connectTimeout: connectTimeout, timeout: timeout,
            basicAuth: basicAuth)
    }
}
