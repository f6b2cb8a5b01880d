import Foundation
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

    static func lead(firstName: String) -> Leadflow_V1_LeadSnapshot {
        Leadflow_V1_LeadSnapshot.with { $0.firstName = firstName }
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
        ])
    func values(template: String, expected: String) {
        #expect(PipelineTemplate.render(template, lead: Self.lead, context: .plainText) == expected)
    }

    @Test(
        "what the lead does not have renders empty",
        arguments: [
            ("Hi {{attributes.missing}}.", "Hi ."),
            ("[{{first_name}}]", "[]"),
        ])
    func missingValues(template: String, expected: String) {
        #expect(PipelineTemplate.render(template, lead: Leadflow_V1_LeadSnapshot(), context: .plainText) == expected)
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
        #expect(!PipelineTemplate.problems(in: template, context: .plainText).isEmpty)
        #expect(PipelineTemplate.render(template, lead: Self.lead, context: .plainText) == expected)
    }

    @Test("rendering reads the same placeholders validation lists")
    func sameSyntaxAsValidation() {
        let template = "{{ email }}{{attributes.plan}} and {{ phone}}"
        #expect(PipelineTemplate.variables(in: template) == ["email", "attributes.plan", "phone"])
        #expect(
            PipelineTemplate.render(template, lead: Self.lead, context: .plainText) == "ada@example.orgpro and +15550100")
    }

    // MARK: Escaping by context

    static let hostile = [
        "<script>alert(1)</script>", #""},"x":1,"y":""#, "a\r\nBcc: victim@example.org", "line\u{2028}sep\u{2029}x",
        "javascript:alert(1)", "\u{0}\u{1B}[31m", String(repeating: "é<\"", count: 21_846),
    ]

    @Test("HTML: text and quoted attributes escape every markup character", arguments: hostile)
    func html(value: String) {
        let rendered = PipelineTemplate.render(
            #"<p title="{{first_name}}">Hi {{first_name}}</p>"#, lead: Self.lead(firstName: value), context: .html)
        let escaped = TemplateEscaping.htmlEscaped(TemplateEscaping.cleaned(value))
        #expect(rendered == #"<p title="\#(escaped)">Hi \#(escaped)</p>"#)
        #expect(!escaped.contains { "<>\"'".contains($0) })
        #expect(!escaped.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
        // Nothing but the references themselves was added: unescaping gives the cleaned value back.
        let unescaped = escaped.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
        #expect(unescaped == TemplateEscaping.cleaned(value))
    }

    @Test("HTML: the escaped forms are the standard character references")
    func htmlReferences() {
        #expect(
            PipelineTemplate.render("<b>{{last_name}}</b>", lead: Self.lead, context: .html)
                == "<b>O&#39;Brien &amp; &lt;Sons&gt;</b>")
    }

    @Test("HTML: a value inside a URL attribute is percent-encoded and cannot leave its segment")
    func htmlURLAttribute() {
        let rendered = PipelineTemplate.render(
            #"<a href="https://acme.test/u?name={{first_name}}">x</a>"#,
            lead: Self.lead(firstName: #"a&b" onclick="x"#), context: .html)
        #expect(rendered == #"<a href="https://acme.test/u?name=a%26b%22%20onclick%3D%22x">x</a>"#)
    }

    @Test("JSON: any value keeps the document's structure and round-trips", arguments: hostile)
    func json(value: String) throws {
        let rendered = PipelineTemplate.render(
            #"{"name": "{{first_name}}", "list": ["{{first_name}}"]}"#, lead: Self.lead(firstName: value),
            context: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["name", "list"])
        #expect(object["name"] as? String == value)
        #expect(object["list"] as? [String] == [value])
    }

    @Test("URL: values are percent-encoded in the path and query")
    func url() {
        let rendered = PipelineTemplate.render(
            "https://crm.test/leads/{{first_name}}?ref={{first_name}}#x", lead: Self.lead(firstName: "a/b?c=d&e#f g"),
            context: .url)
        #expect(rendered == "https://crm.test/leads/a%2Fb%3Fc%3Dd%26e%23f%20g?ref=a%2Fb%3Fc%3Dd%26e%23f%20g#x")
    }

    @Test("URL: a value of dots only renders empty, so it cannot step out of its path segment", arguments: [".", "..", "..."])
    func dotSegments(value: String) {
        let lead = Self.lead(firstName: value)
        #expect(PipelineTemplate.render("https://crm.test/a/{{first_name}}/b", lead: lead, context: .url) == "https://crm.test/a//b")
        #expect(
            PipelineTemplate.render(#"<a href="https://crm.test/{{first_name}}/x">y</a>"#, lead: lead, context: .html)
                == #"<a href="https://crm.test//x">y</a>"#)
        #expect(PipelineTemplate.render("n={{first_name}}", lead: lead, context: .form) == "n=" + value)
    }

    @Test("single line: line breaks and control characters become spaces", arguments: hostile)
    func singleLine(value: String) {
        let rendered = PipelineTemplate.render(
            "Hi {{first_name}}", lead: Self.lead(firstName: value), context: .singleLine)
        #expect(!rendered.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(!rendered.unicodeScalars.contains { $0.value == 0x2028 || $0.value == 0x2029 })
        #expect(rendered.unicodeScalars.count == 3 + value.unicodeScalars.count)
    }

    @Test("form bodies percent-encode values, so `&` and `=` cannot add fields")
    func form() {
        #expect(
            PipelineTemplate.render("name={{first_name}}&plan=pro", lead: Self.lead(firstName: "x&plan=free"), context: .form)
                == "name=x%26plan%3Dfree&plan=pro")
    }

    @Test(
        "a webhook body's context follows its Content-Type",
        arguments: [
            (nil, TemplateContext.json), ("application/json; charset=utf-8", .json), ("application/vnd.api+json", .json),
            ("text/json", .json), ("application/x-ndjson", .json),
            ("application/x-www-form-urlencoded", .form), ("text/html", .html), ("application/xml", .html),
            ("text/plain", .plainText),
        ] as [(String?, TemplateContext)])
    func webhookBodyContext(contentType: String?, expected: TemplateContext) {
        #expect(TemplateContext.webhookBody(contentType: contentType) == expected)
    }

    @Test("a placeholder in a position validation rejects renders empty")
    func unsafePositionsRenderEmpty() {
        #expect(
            PipelineTemplate.render(#"{"{{first_name}}": 1, "n": {{first_name}}}"#, lead: Self.lead, context: .json)
                == #"{"": 1, "n": }"#)
        #expect(PipelineTemplate.render("<a href={{email}}>x</a>", lead: Self.lead, context: .html) == "<a href=>x</a>")
    }
}
