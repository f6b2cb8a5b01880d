import LeadflowProto
import Testing

@testable import LeadflowPipeline

@Suite("Rendering templates with a lead's values")
struct TemplateRenderingTests {
    static let lead = Leadflow_V1_LeadSnapshot.with {
        $0.leadID = 7
        $0.externalID = "crm-42"
        $0.email = "ada@example.org"
        $0.phone = "+15550100"
        $0.firstName = "Zoë"
        $0.lastName = "O'Brien & <Sons>"
        $0.attributes = ["plan": "pro", "company": "Analytical Engines"]
    }

    @Test(
        "placeholders become the lead's values",
        arguments: [
            ("Hello {{first_name}}!", "Hello Zoë!"),
            ("{{ first_name }} {{last_name}} <{{email}}>", "Zoë O'Brien & <Sons> <ada@example.org>"),
            ("{{phone}}/{{external_id}}", "+15550100/crm-42"),
            ("On {{attributes.plan}} at {{ attributes.company }}", "On pro at Analytical Engines"),
            ("no placeholders at all", "no placeholders at all"),
            ("", ""),
            (#"{"name":"{{first_name}}","plan":"{{attributes.plan}}"}"#, #"{"name":"Zoë","plan":"pro"}"#),
        ])
    func values(template: String, expected: String) {
        #expect(PipelineTemplate.render(template, lead: Self.lead) == expected)
    }

    @Test(
        "what the lead does not have renders empty",
        arguments: [
            ("Hi {{attributes.missing}}.", "Hi ."),
            ("[{{first_name}}]", "[]"),
        ])
    func missingValues(template: String, expected: String) {
        #expect(PipelineTemplate.render(template, lead: Leadflow_V1_LeadSnapshot()) == expected)
    }

    @Test("no HTML escaping: the output is plain text")
    func noEscaping() {
        #expect(PipelineTemplate.render("{{last_name}}", lead: Self.lead) == "O'Brien & <Sons>")
    }

    @Test(
        "text that validation rejects renders as it stands, unknown names as empty",
        arguments: [
            ("a }} b {{first_name}}", "a }} b Zoë"),
            ("{{first_name}} {{ never closed", "Zoë {{ never closed"),
            ("{{a {{first_name}}", "{{a Zoë"),
            ("x{{nickname}}y{{}}z", "xyz"),
        ])
    func invalidTemplates(template: String, expected: String) {
        #expect(!PipelineTemplate.problems(in: template).isEmpty)
        #expect(PipelineTemplate.render(template, lead: Self.lead) == expected)
    }

    @Test("rendering reads the same placeholders validation lists")
    func sameSyntaxAsValidation() {
        let template = "{{ email }}{{attributes.plan}} and {{ phone}}"
        #expect(PipelineTemplate.variables(in: template) == ["email", "attributes.plan", "phone"])
        #expect(PipelineTemplate.render(template, lead: Self.lead) == "ada@example.orgpro and +15550100")
    }
}
