import LeadflowProto

extension PipelineTemplate {
    /// `template` with each placeholder replaced by the lead's value, as plain text: no escaping of any kind, since
    /// the result is a plain-text email or SMS, a header, or a JSON body the pipeline author wrote.
    ///
    /// A placeholder for a value the lead does not have — or one that validation would reject — renders as the
    /// empty string; stray braces that validation would reject are kept as they are.
    public static func render(_ template: String, lead: Leadflow_V1_LeadSnapshot) -> String {
        // The common case, a field without placeholders, costs one search.
        guard template.contains("{{") || template.contains("}}") else { return template }
        var rendered = ""
        rendered.reserveCapacity(template.utf8.count)
        for piece in scan(template).pieces {
            switch piece {
            case .text(let text): rendered += text
            case .placeholder(let name, _): rendered += value(of: name, in: lead)
            }
        }
        return rendered
    }

    /// The lead's value for a placeholder name, or "" when it has none.
    static func value(of name: String, in lead: Leadflow_V1_LeadSnapshot) -> String {
        switch name {
        case "email": lead.email
        case "phone": lead.phone
        case "first_name": lead.firstName
        case "last_name": lead.lastName
        case "external_id": lead.externalID
        default:
            name.hasPrefix("attributes.") ? lead.attributes[String(name.dropFirst("attributes.".count))] ?? "" : ""
        }
    }
}
