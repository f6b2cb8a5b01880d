import LeadflowDomain
import Testing

@Suite("HTML text")
struct HTMLTextTests {
    @Test("markup characters are escaped whatever follows them, combining marks included")
    func escaping() {
        #expect(HTMLText.escaped(#"<a href="x" title='y'>&amp;</a>"#)
            == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;")
        // A quote and a combining mark are one Character; the quote must still be escaped.
        #expect(HTMLText.escaped("\"\u{301}'\u{301}<\u{338}") == "&quot;\u{301}&#39;\u{301}&lt;\u{338}")
        #expect(HTMLText.escaped("Zoë 😍 plain") == "Zoë 😍 plain")
    }
}
