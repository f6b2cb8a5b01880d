import Foundation
import LeadflowDomain
import LeadflowProto
import LeadflowSecrets
import Logging

/// A driver for development: renders the action as a real driver would, logs the result, and succeeds (or fails
/// permanently, as the real driver would, when the action cannot be rendered). Nothing leaves the process.
public struct LogDriver: DeliveryDriver {
    /// How the rendered messages are logged.
    public struct Configuration: Sendable {
        /// The level of the line each delivery writes.
        public var level: Logger.Level = .info
        /// Whether the rendered bodies are logged too, not only recipients and subjects.
        public var includeBodies: Bool = true

        public init() {}

        public func validate() throws(HandlerConfigurationError) {}
    }

    let configuration: Configuration
    let logger: Logger

    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func deliver(_ dispatch: Leadflow_V1_ActionDispatch, trace: TraceParent?) async -> DeliveryOutcome {
        var metadata: Logger.Metadata = [
            HandlerLogKey.actionID: "\(dispatch.actionID)", HandlerLogKey.orgID: "\(dispatch.org)",
            HandlerLogKey.leadID: "\(dispatch.lead.leadID)", "idempotency_key": "\(dispatch.deliveryKey)",
        ]
        if let trace { metadata[TraceParent.logMetadataKey] = "\(trace.traceID)" }
        let summary: String
        do throws(DeliveryFailure) {
            switch dispatch.config {
            case .email:
                let email = try RenderedAction.email(dispatch)
                summary = "email"
                metadata["email.to"] = "\(email.to)"
                metadata["email.from"] = "\(email.sender)"
                metadata["email.subject"] = "\(email.subject)"
                if configuration.includeBodies {
                    metadata["email.text"] = "\(email.text)"
                    if let html = email.html { metadata["email.html"] = "\(html)" }
                }
            case .sms:
                let sms = try RenderedAction.sms(dispatch)
                summary = "sms"
                metadata["sms.to"] = "\(sms.to)"
                metadata["sms.from"] = "\(sms.sender)"
                if configuration.includeBodies { metadata["sms.body"] = "\(sms.body)" }
            case .webhook:
                let webhook = try RenderedAction.webhook(dispatch)
                summary = "webhook"
                metadata["webhook.url"] = "\(RedactedURL(webhook.url))"
                if configuration.includeBodies {
                    metadata["webhook.body"] = "\(String(decoding: webhook.body, as: UTF8.self))"
                }
            case nil:
                throw DeliveryFailure(.invalidAction, "the dispatch carries no action configuration")
            }
        } catch {
            return .failedPermanently(error)
        }
        logger.log(level: configuration.level, "delivered (log driver): \(summary)", metadata: metadata)
        return .succeeded(providerMessageID: "log-\(dispatch.deliveryKey)")
    }
}
