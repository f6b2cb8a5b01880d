import Foundation
import LeadflowPipeline
import LeadflowProto
import SwiftProtobuf

/// A dispatched action's fields with their templates rendered for the dispatch's lead and checked for what
/// delivery needs; every driver of a type (and the log driver) reads the action through these.
enum RenderedAction {
    /// Encodes as the JSON HTTP email providers take: `html` and `reply_to` are left out when absent.
    struct Email: Sendable, Hashable, Encodable {
        var to: String
        var sender: String
        var subject: String
        var text: String
        var html: String?
        var replyTo: String?
        /// Header fields for the provider to add (the one-click unsubscribe fields); nil: none.
        var headers: [String: String]?

        enum CodingKeys: String, CodingKey {
            case to, subject, text, html, headers
            case sender = "from"
            case replyTo = "reply_to"
        }
    }

    struct SMS: Sendable, Hashable {
        var to: String
        var sender: String
        var body: String
    }

    struct Webhook: Sendable {
        var url: String
        /// The action's headers, ordered by name so that requests are reproducible.
        var headers: [(name: String, value: String)]
        var body: [UInt8]
    }

    static func email(_ dispatch: Leadflow_V1_ActionDispatch) throws(DeliveryFailure) -> Email {
        guard case .email(let action)? = dispatch.config else { throw noConfiguration("email", dispatch.actionType) }
        guard !action.sender.isEmpty else { throw invalid("the email action has no sender") }
        let lead = dispatch.lead
        return Email(
            to: try recipient(action.to.isEmpty ? "{{email}}" : action.to, lead: lead, missing: "email address"),
            sender: action.sender,
            subject: PipelineTemplate.render(action.subject, lead: lead, context: .singleLine),
            text: PipelineTemplate.render(action.text, lead: lead, context: .plainText),
            html: action.hasHtml ? PipelineTemplate.render(action.html, lead: lead, context: .html) : nil,
            replyTo: action.hasReplyTo ? action.replyTo : nil)
    }

    static func sms(_ dispatch: Leadflow_V1_ActionDispatch) throws(DeliveryFailure) -> SMS {
        guard case .sms(let action)? = dispatch.config else { throw noConfiguration("sms", dispatch.actionType) }
        guard !action.sender.isEmpty else { throw invalid("the SMS action has no sender") }
        let lead = dispatch.lead
        return SMS(
            to: try recipient(action.to.isEmpty ? "{{phone}}" : action.to, lead: lead, missing: "phone number"),
            sender: action.sender,
            body: PipelineTemplate.render(action.body, lead: lead, context: .singleLine))
    }

    static func webhook(_ dispatch: Leadflow_V1_ActionDispatch) throws(DeliveryFailure) -> Webhook {
        guard case .webhook(let action)? = dispatch.config else {
            throw noConfiguration("webhook", dispatch.actionType)
        }
        guard !action.url.isEmpty else { throw invalid("the webhook action has no URL") }
        let headers = action.headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        let body: [UInt8]
        if action.hasBody {
            let contentType = headers.first { $0.name.lowercased() == "content-type" }?.value
            body = Array(
                PipelineTemplate.render(action.body, lead: dispatch.lead, context: .webhookBody(contentType: contentType))
                    .utf8)
        } else {
            do {
                body = try dispatch.lead.jsonUTF8Bytes()
            } catch {
                throw invalid("the lead cannot be written as JSON: \(error)")
            }
        }
        let url = PipelineTemplate.render(action.url, lead: dispatch.lead, context: .url)
        return Webhook(url: url, headers: headers, body: body)
    }

    /// The rendered recipient, which must not be empty: a lead without the address cannot be reached.
    private static func recipient(
        _ template: String, lead: Leadflow_V1_LeadSnapshot, missing: String
    ) throws(DeliveryFailure) -> String {
        let rendered = PipelineTemplate.render(template, lead: lead, context: .singleLine).trimmingCharacters(in: .whitespaces)
        guard !rendered.isEmpty else {
            throw DeliveryFailure(.invalidRecipient, "the recipient is empty: the lead has no \(missing)")
        }
        guard !rendered.contains(where: \.isNewline) else {
            throw DeliveryFailure(.invalidRecipient, "the recipient contains a line break")
        }
        return rendered
    }

    private static func noConfiguration(_ type: String, _ actionType: Leadflow_V1_ActionType) -> DeliveryFailure {
        invalid("the dispatch carries no \(type) configuration (action type \(actionType))")
    }

    private static func invalid(_ message: String) -> DeliveryFailure {
        DeliveryFailure(.invalidAction, message)
    }
}
