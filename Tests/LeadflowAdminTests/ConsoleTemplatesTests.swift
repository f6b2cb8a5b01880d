import Testing

@testable import LeadflowAdmin

@Suite("Console: templates escape by code point; forms decode as browsers encode")
struct ConsoleTemplatesTests {
    @Test("every template declares the console's escaping and none prints a value unescaped")
    func everyTemplateEscapes() {
        #expect(ConsoleTemplates.sources.count >= 6)
        for (name, source) in ConsoleTemplates.sources {
            #expect(source.hasPrefix(ConsoleTemplates.pragma), "\(name) does not start with the pragma")
            #expect(!source.contains("{{{") && !source.contains("{{&"), "\(name) prints a value unescaped")
        }
    }

    @Test("a rendered page escapes a hostile value in text and in an attribute")
    func rendering() {
        let hostile = "\"\u{301} autofocus onfocus=alert(1) x=\"<b>"
        let page = ConsoleTemplates.render("leads", ["title": hostile, "org": hostile, "value": "", "criteria": [[String: Any]]()])
        #expect(!page.contains("<b>") && !page.contains("\"\u{301} autofocus"), "\(page)")
        #expect(page.contains(#"value="&quot;\#u{301} autofocus onfocus=alert(1) x=&quot;&lt;b&gt;""#), "\(page)")
    }

    @Test("form fields: + is a space, %XX a UTF-8 byte, the first of repeated names counts; bad escapes void the form")
    func forms() throws {
        let form = try #require(ConsoleForm("a=1+2&b=%C3%A9%26%3D&a=3&empty=&flag&c=%2B"))
        #expect(form["a"] == "1 2" && form["b"] == "é&=" && form["empty"] == "" && form["flag"] == "" && form["c"] == "+")
        #expect(form.text("empty") == nil && form.text("missing") == nil)
        #expect(ConsoleForm("x=%zz") == nil && ConsoleForm("x=%4") == nil && ConsoleForm("x=%FF") == nil)
        #expect(ConsoleForm("")?.fields.isEmpty == true)
        #expect(ConsoleForm("t=+%20lfa_x%09+")?.text("t") == "lfa_x")
        // An & or = followed by a combining mark is one Character, yet still a separator.
        let marked = try #require(ConsoleForm("a=1&\u{301}b=2=\u{301}"))
        #expect(marked["a"] == "1" && marked["\u{301}b"] == "2=\u{301}", "\(marked.fields)")
    }
}
