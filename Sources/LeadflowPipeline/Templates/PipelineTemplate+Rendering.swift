import LeadflowProto

extension PipelineTemplate {
    /// `template` with each placeholder replaced by the lead's value, escaped for where the result goes
    /// (`context`) and for the placeholder's position in it (docs/pipelines.md, "Where values land").
    ///
    /// A placeholder for a value the lead does not have renders as the empty string, and so does one in a
    /// position no escaping makes safe (validation rejects such templates; this covers definitions stored
    /// before that rule); stray braces that validation would reject are kept as they are.
    public static func render(
        _ template: String, lead: Leadflow_V1_LeadSnapshot, context: TemplateContext
    ) -> String {
        // The common case, a field without placeholders, costs one search.
        guard template.contains("{{") || template.contains("}}") else { return template }
        let pieces = scan(template).pieces
        var positions = self.positions(of: pieces, in: context).makeIterator()
        var rendered = ""
        rendered.reserveCapacity(template.utf8.count)
        for piece in pieces {
            switch piece {
            case .text(let text):
                rendered += text
            case .placeholder(let name, _):
                if case .safe(let escaping)? = positions.next() {
                    rendered += escaping.apply(value(of: name, in: lead))
                }
            }
        }
        return rendered
    }

    /// The position of each placeholder of `pieces`, in order, for a template rendered into `context`.
    static func positions(of pieces: [Piece], in context: TemplateContext) -> [PlaceholderPosition] {
        switch context {
        case .plainText: constant(.plainText, pieces)
        case .singleLine: constant(.singleLine, pieces)
        case .form: constant(.percent, pieces)
        case .html: walk(pieces, HTMLTemplateState())
        case .json: walk(pieces, JSONTemplateState())
        case .url: walk(pieces, URLTemplateState())
        }
    }

    private static func constant(_ escaping: TemplateEscaping, _ pieces: [Piece]) -> [PlaceholderPosition] {
        Array(repeating: .safe(escaping), count: pieces.variables.count)
    }

    private static func walk<State: TemplateSyntaxState>(_ pieces: [Piece], _ initial: State) -> [PlaceholderPosition] {
        var state = initial
        var positions: [PlaceholderPosition] = []
        for piece in pieces {
            switch piece {
            case .text(let text):
                state.read(text)
            case .placeholder:
                positions.append(state.position)
                state.readValue()
            }
        }
        return positions
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
