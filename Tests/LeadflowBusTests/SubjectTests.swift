import Testing

@testable import LeadflowBus

@Suite("Subjects and wildcard patterns")
struct SubjectTests {
    @Test(
        "valid published subjects",
        arguments: [
            "lead.upsert.acme", "foo", "foo.bar", "FOO.BAR.BAZ", "$JS.API.STREAM.INFO", "a-b_c.d=e/f",
            "lead.created.org-42", "x.~!@#$%^&()+{}[]|\\:;\"'<?,",
            String(repeating: "a", count: 255),
        ])
    func validSubjects(_ string: String) throws {
        let subject = try Subject(string)
        #expect(subject.string == string)
        #expect(subject.bytes == Array(string.utf8))
    }

    @Test(
        "invalid published subjects and why",
        arguments: [
            ("", SubjectError.empty),
            (".foo", .emptyToken(index: 0)),
            ("foo.", .emptyToken(index: 1)),
            ("foo..bar", .emptyToken(index: 1)),
            ("foo bar", .invalidByte(0x20, offset: 3)),
            ("foo\tbar", .invalidByte(0x09, offset: 3)),
            ("café", .invalidByte(0xC3, offset: 3)),
            ("lead.*", .wildcardInSubject(offset: 5)),
            ("lead.>", .wildcardInSubject(offset: 5)),
            ("lead*.x", .wildcardInSubject(offset: 4)),
            (String(repeating: "a", count: 256), .tooLong(length: 256, limit: 255)),
        ])
    func invalidSubjects(_ string: String, _ expected: SubjectError) {
        #expect(throws: expected) { try Subject(string) }
    }

    @Test(
        "pattern matching (ADR-6 wildcards)",
        arguments: [
            ("lead.>", "lead.created.acme", true),
            ("lead.>", "lead.x", true),
            ("lead.>", "lead", false),
            ("lead.*", "lead.x", true),
            ("lead.*", "lead.x.y", false),
            ("lead.*", "leadx.a", false),
            ("lead.>", "leadx.a", false),
            ("lead.*.acme", "lead.created.acme", true),
            ("lead.*.acme", "lead.created.acmex", false),
            ("lead.*.acme", "lead.acme", false),
            ("*.*.acme", "lead.created.acme", true),
            ("*", "lead", true),
            ("*", "lead.x", false),
            (">", "lead", true),
            (">", "a.b.c.d", true),
            ("lead.upsert.acme", "lead.upsert.acme", true),
            ("lead.upsert.acme", "lead.upsert.acmex", false),
            ("lead.upsert.acme", "lead.upsert", false),
            ("metrics.*.claim", "metrics.scheduler.claim", true),
            ("foo.*.>", "foo.bar", false),
            ("foo.*.>", "foo.bar.baz", true),
        ])
    func matching(pattern: String, subject: String, expected: Bool) throws {
        #expect(try SubjectPattern(pattern).matches(Subject(subject)) == expected)
    }

    @Test(
        "ZeroMQ prefix is the literal part before the first wildcard",
        arguments: [
            ("lead.>", "lead."), ("lead.*.acme", "lead."), ("*.x", ""), (">", ""),
            ("lead.upsert.acme", "lead.upsert.acme"), ("metrics.scheduler.>", "metrics.scheduler."),
        ])
    func zmqPrefix(pattern: String, prefix: String) throws {
        #expect(try SubjectPattern(pattern).zmqPrefix == Array(prefix.utf8))
    }

    @Test(
        "invalid patterns and why",
        arguments: [
            ("", SubjectError.empty),
            ("lead..x", .emptyToken(index: 1)),
            ("lead*", .wildcardInsideToken(index: 0)),
            ("lead.x>", .wildcardInsideToken(index: 1)),
            ("lead.>.x", .fullWildcardNotLast(index: 1)),
            ("lead. x", .invalidByte(0x20, offset: 5)),
        ])
    func invalidPatterns(_ pattern: String, _ expected: SubjectError) {
        #expect(throws: expected) { try SubjectPattern(pattern) }
    }

    @Test("the organization is the last token")
    func lastToken() throws {
        #expect(try Subject("lead.upsert.acme").lastToken == "acme")
        #expect(try Subject(tokens: ["lead", "enroll", "org-7"]).string == "lead.enroll.org-7")
        #expect(throws: SubjectError.emptyToken(index: 2)) { try Subject(tokens: ["lead", "enroll", ""]) }
    }
}
