import Testing

@testable import LeadflowPipeline

@Suite("Positions in a template that no escaping makes safe")
struct TemplatePositionTests {
    static func problem(_ template: String, _ context: TemplateContext) -> String? {
        let problems = PipelineTemplate.problems(in: template, context: context)
        #expect(problems.count <= 1, "\(problems)")
        return problems.first?.message
    }

    /// Expects the template's one problem to contain `fragment`, or no problem when `fragment` is nil.
    static func check(_ template: String, _ context: TemplateContext, _ fragment: String?) {
        let message = problem(template, context)
        if let fragment {
            #expect(message?.contains(fragment) == true, "\(message ?? "no problem")")
            #expect(message?.contains("(the field is \(context.name))") == true)
        } else {
            #expect(message == nil, "\(message ?? "")")
        }
    }

    @Test(
        "HTML",
        arguments: [
            ("<p>{{first_name}}</p>", nil),
            (#"<p class="x {{attributes.plan}}">"#, nil),
            ("<p title='{{first_name}}'>", nil),
            ("<!-- {{first_name}} -->", nil),
            (#"<a href="https://acme.test/{{external_id}}">"#, nil),
            (#"<img src="/logo?u={{email}}">"#, nil),
            ("<textarea>{{first_name}}</textarea>", nil),
            ("<script>x=1</script><p>{{first_name}}</p>", nil),
            ("<p title={{first_name}}>", "unquoted value of `title`"),
            ("<!--><a title={{first_name}}>", "unquoted value of `title`"),
            ("<!---><a title={{first_name}}>", "unquoted value of `title`"),
            ("<!-- x --!><a title={{first_name}}>", "unquoted value of `title`"),
            ("<script>x = '</scripts>{{first_name}}';</script>", "inside <script>"),
            ("<p title=a{{first_name}}>", "unquoted value of `title`"),
            ("<p {{first_name}}>", "inside a tag"),
            // `<` before anything but a letter is text in HTML, and the escaped value cannot start a tag.
            ("<{{first_name}}>", nil),
            (#"<a href="{{attributes.url}}">"#, "start of the URL in `href`"),
            (#"<a HREF=" {{attributes.url}}">"#, "start of the URL in `href`"),
            (#"<p onclick="go('{{first_name}}')">"#, "`onclick` would be JavaScript"),
            (#"<p style="color: {{attributes.color}}">"#, "`style` would be CSS"),
            ("<script>var n = '{{first_name}}';</script>", "inside <script>"),
            (#"<iframe srcdoc="<p>Hi {{first_name}}</p>"></iframe>"#, "`srcdoc` is read again"),
            (#"<svg><a><animate attributeName="href" values="{{attributes.url}}"/></a></svg>"#, "`values` is read again"),
            (#"<meta http-equiv="refresh" content="0;url=https://x.test/{{external_id}}">"#, "`content` is read again"),
            ("<STYLE>p { color: {{attributes.c}} }</STYLE>", "inside <style>"),
        ] as [(String, String?)])
    func html(template: String, fragment: String?) {
        Self.check(template, .html, fragment)
    }

    @Test(
        "JSON",
        arguments: [
            (#"{"email": "{{email}}", "tags": ["{{attributes.tag}}", "x"]}"#, nil),
            (#"{"note": "say \"{{first_name}}\""}"#, nil),
            (#"{"{{first_name}}": "x"}"#, "JSON key"),
            (#"{"a": "b", "{{first_name}}": "x"}"#, "JSON key"),
            (#"{"n": {{attributes.count}}}"#, "outside a JSON string"),
            (#"[{{email}}]"#, "outside a JSON string"),
            (#"{"a": "\{{email}}"}"#, "backslash"),
        ] as [(String, String?)])
    func json(template: String, fragment: String?) {
        Self.check(template, .json, fragment)
    }

    @Test(
        "URL",
        arguments: [
            ("https://crm.test/hooks/{{external_id}}?e={{email}}#{{first_name}}", nil),
            ("https://crm.test?e={{email}}", nil),
            ("{{attributes.url}}", "scheme or host"),
            ("https://{{attributes.host}}/x", "scheme or host"),
            ("https://crm.{{attributes.tld}}/x", "scheme or host"),
            ("https://user:{{attributes.password}}@crm.test/", "scheme or host"),
        ] as [(String, String?)])
    func url(template: String, fragment: String?) {
        Self.check(template, .url, fragment)
    }

    @Test("plain text, single lines and forms take a placeholder anywhere")
    func anywhere() {
        for context in [TemplateContext.plainText, .singleLine, .form] {
            #expect(Self.problem("<a href={{email}}>{\"{{first_name}}\": {{phone}}}", context) == nil)
        }
    }
}
