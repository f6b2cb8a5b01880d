import Foundation
import LeadflowPipeline
import LeadflowProto

extension FuzzTarget {
    /// A template, a context and a lead's values, checking the promises of context-aware escaping.
    ///
    /// Input: the first byte picks the context (`TemplateContext.allCases`, modulo their count); the rest is
    /// frames (``FuzzFrames``): the template, then email, phone, first_name, last_name, external_id and the
    /// value of attribute `a`. Missing frames are empty.
    static let template = FuzzTarget(name: "template", summary: "PipelineTemplate.problems and render, per context") { input in
        guard let selector = input.first else { return }
        let context = TemplateContext.allCases[Int(selector) % TemplateContext.allCases.count]
        let fields = FuzzFrames.split(Array(input.dropFirst())).map { String(decoding: $0, as: UTF8.self) }
        let field = { (index: Int) in index < fields.count ? fields[index] : "" }
        let template = field(0)
        var lead = Leadflow_V1_LeadSnapshot()
        lead.email = field(1)
        lead.phone = field(2)
        lead.firstName = field(3)
        lead.lastName = field(4)
        lead.externalID = field(5)
        lead.attributes["a"] = field(6)

        _ = PipelineTemplate.variables(in: template)
        let valid = PipelineTemplate.problems(in: template, context: context).isEmpty
        let rendered = PipelineTemplate.render(template, lead: lead, context: context)
        guard valid else { return }
        switch context {
        case .json:
            // Escaping must keep a body JSON whatever the values: if the template is JSON with harmless values,
            // it is JSON with any.
            guard parsesAsJSON(PipelineTemplate.render(template, lead: harmlessLead, context: .json)) else { return }
            precondition(parsesAsJSON(rendered), "hostile lead values broke a valid JSON template")
        case .singleLine:
            // A value can add no line to a subject, a recipient or a header.
            guard !template.unicodeScalars.contains(where: isLineBreak) else { return }
            precondition(!rendered.unicodeScalars.contains(where: isLineBreak), "a value added a line break")
        default:
            break
        }
    }

    /// A lead whose values need no escaping anywhere.
    private static let harmlessLead: Leadflow_V1_LeadSnapshot = {
        var lead = Leadflow_V1_LeadSnapshot()
        (lead.email, lead.phone, lead.firstName, lead.lastName, lead.externalID) = ("a", "1", "b", "c", "d")
        lead.attributes["a"] = "e"
        return lead
    }()

    private static func parsesAsJSON(_ text: String) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)) != nil
    }

    /// The line breaks docs/pipelines.md names for single-line fields.
    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        ["\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar)
    }
}
