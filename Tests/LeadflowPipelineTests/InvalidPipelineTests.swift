import Testing

@testable import LeadflowPipeline

/// A document with exactly one mistake, and where and how it must be reported.
struct InvalidDocument: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let line: Int
    let column: Int
    let fragment: String
    /// Problems in all; more than one only where one slip really breaks several rules.
    var count = 1
    var testDescription: String { name }
}

/// Wraps one action in an otherwise valid pipeline; the action's first line is line 5, column 9.
private func pipeline(action: String, extraStages: String = "") -> String {
    """
    name: p
    stages:
      - name: first
        actions:
          \(action.replacingOccurrences(of: "\n", with: "\n      "))
    \(extraStages)
    """
}

@Suite("Invalid pipelines: every problem with its line and column")
struct InvalidPipelineTests {
    static let documents: [InvalidDocument] = [
        .init(name: "not YAML", yaml: "name: [a\n", line: 2, column: 1, fragment: "not valid YAML"),
        .init(name: "empty document", yaml: "", line: 1, column: 1, fragment: "the document is empty"),
        .init(name: "top level is a list", yaml: "- a\n- b\n", line: 1, column: 1, fragment: "expected a pipeline"),
        .init(
            name: "missing name", yaml: "stages:\n  - name: s\n    actions: [end]\n", line: 1, column: 1,
            fragment: "the pipeline needs a name"),
        .init(name: "no stages", yaml: "name: p\nstages: []\n", line: 2, column: 9, fragment: "at least one stage"),
        .init(name: "stages missing", yaml: "name: p\n", line: 1, column: 1, fragment: "at least one stage"),
        .init(
            name: "stages not a list", yaml: "name: p\nstages: first\n", line: 2, column: 9,
            fragment: "`stages` must be a list"),
        .init(
            name: "unknown top-level key", yaml: "name: p\nstagse: []\n", line: 2, column: 1,
            fragment: "unknown key `stagse` in a pipeline (did you mean \"stages\"?)"),
        .init(
            name: "duplicate stage name",
            yaml: "name: p\nstages:\n  - name: a\n    actions: [end]\n  - name: a\n    actions: [end]\n",
            line: 5, column: 11, fragment: "duplicate stage name \"a\""),
        .init(
            name: "unknown action type", yaml: pipeline(action: "- emial: {}"), line: 5, column: 9,
            fragment:
                "unknown action type \"emial\" (did you mean \"email\"?); known types: email, sms, webhook, wait, wait_for_reply, move, end"
        ),
        .init(
            name: "unknown bare action", yaml: pipeline(action: "- stop"), line: 5, column: 9,
            fragment: "unknown action type \"stop\""),
        .init(
            name: "wait without value", yaml: pipeline(action: "- wait"), line: 5, column: 9,
            fragment: "`wait` needs a value: wait: 2d"),
        .init(
            name: "two action types", yaml: pipeline(action: "- wait: 1s\n  move: first"), line: 6, column: 9,
            fragment: "exactly one type; found `wait` and `move`"),
        .init(
            name: "email config is a string", yaml: pipeline(action: "- email: hello"), line: 5, column: 16,
            fragment: "expected `email` (a mapping with"),
        .init(
            name: "end with a value", yaml: pipeline(action: "- end: now"), line: 5, column: 14,
            fragment: "`end` takes no value"),
        .init(
            name: "move to unknown stage", yaml: pipeline(action: "- move: secnod", extraStages: "  - name: second\n"),
            line: 5, column: 15, fragment: "`move` names unknown stage \"secnod\" (did you mean \"second\"?)"),
        .init(
            name: "then to unknown stage",
            yaml: pipeline(action: "- wait_for_reply:\n    timeout: 1d\n    then: later"),
            line: 7, column: 17, fragment: "`then` names unknown stage \"later\"; stages: first"),
        .init(
            name: "on_reply to unknown stage",
            yaml: pipeline(action: "- wait_for_reply:\n    timeout: 1d\n    on_reply: sales"),
            line: 7, column: 21, fragment: "`on_reply` names unknown stage \"sales\""),
        .init(
            name: "wait_for_reply without timeout", yaml: pipeline(action: "- wait_for_reply:\n    channel: sms"),
            line: 5, column: 9, fragment: "`wait_for_reply` needs `timeout`"),
        .init(
            name: "unknown channel", yaml: pipeline(action: "- wait_for_reply:\n    channel: fax\n    timeout: 1d"),
            line: 6, column: 20, fragment: "unknown channel \"fax\"; expected email, sms or any"),
        .init(
            name: "negative duration", yaml: pipeline(action: "- wait: -5m"), line: 5, column: 15,
            fragment: "duration \"-5m\" is negative"),
        .init(
            name: "malformed duration", yaml: pipeline(action: "- wait: 5x"), line: 5, column: 15,
            fragment: "malformed duration \"5x\""),
        .init(
            name: "malformed timeout", yaml: pipeline(action: "- wait_for_reply:\n    timeout: 30m1h"), line: 6,
            column: 20, fragment: "`timeout`: malformed duration \"30m1h\""),
        .init(
            name: "email without sender",
            yaml: pipeline(action: "- email:\n    subject: s\n    text: t"), line: 5, column: 9,
            fragment: "`email` needs `sender`"),
        .init(
            name: "email without text", yaml: pipeline(action: "- email:\n    sender: a@b.test\n    subject: s"),
            line: 5, column: 9, fragment: "`email` needs `text`"),
        .init(
            name: "email with nothing", yaml: pipeline(action: "- email:\n- end"), line: 5, column: 9,
            fragment: "`email` needs `sender`", count: 3),
        .init(
            name: "sms without body", yaml: pipeline(action: "- sms:\n    sender: \"+1555\""), line: 5, column: 9,
            fragment: "`sms` needs `body`"),
        .init(
            name: "placeholder in an unquoted HTML attribute",
            yaml: pipeline(
                action: "- email:\n    sender: a@b.test\n    subject: s\n    text: t\n    html: |\n      <p>Hi</p>\n      <a title={{first_name}}>x</a>"),
            line: 11, column: 22, fragment: "`html`: a placeholder in the unquoted value of `title`"),
        .init(
            name: "placeholder as a JSON key",
            yaml: pipeline(action: "- webhook:\n    url: https://x.test/\n    body: '{\"{{first_name}}\": 1}'"),
            line: 7, column: 20, fragment: "`body`: a placeholder in a JSON key"),
        .init(
            name: "placeholder in a webhook's host",
            yaml: pipeline(action: "- webhook:\n    url: https://{{attributes.host}}.test/"),
            line: 6, column: 24, fragment: "`url`: a placeholder in the URL's scheme or host"),
        .init(
            name: "line break in a webhook header value",
            yaml: pipeline(action: "- webhook:\n    url: https://x.test/\n    headers: {X-A: \"a\\r\\nX-B: b\"}"),
            line: 7, column: 21, fragment: "webhook header \"X-A\" has a line break"),
        .init(
            name: "webhook without url", yaml: pipeline(action: "- webhook:\n    body: x"), line: 5, column: 9,
            fragment: "`webhook` needs `url`"),
        .init(
            name: "webhook with a relative url", yaml: pipeline(action: "- webhook:\n    url: /hooks/lead"), line: 6,
            column: 16, fragment: "url \"/hooks/lead\" must be an absolute http:// or https:// URL"),
        .init(
            name: "webhook with an ftp url", yaml: pipeline(action: "- webhook:\n    url: ftp://x.test/a"), line: 6,
            column: 16, fragment: "must be an absolute http:// or https:// URL"),
        .init(
            name: "unknown template variable",
            yaml: pipeline(action: "- sms:\n    sender: S\n    body: \"Hi {{frist_name}}\""), line: 7, column: 21,
            fragment: "`body`: unknown template variable \"frist_name\" (did you mean \"first_name\"?)"),
        .init(
            name: "unclosed placeholder",
            yaml: pipeline(action: "- email:\n    sender: S\n    subject: \"Hi {{first_name\"\n    text: t"),
            line: 7, column: 24, fragment: "`subject`: \"{{\" is never closed"),
        .init(
            name: "stray closing braces",
            yaml: pipeline(action: "- email:\n    sender: S\n    subject: s\n    text: \"Hi first_name}}\""),
            line: 8, column: 31, fragment: "`text`: \"}}\" without a matching \"{{\""),
        .init(
            name: "attribute without key",
            yaml: pipeline(action: "- sms:\n    sender: S\n    body: \"{{attributes.}}\""), line: 7, column: 18,
            fragment: "needs an attribute key"),
        .init(
            name: "template problem in a plain scalar",
            yaml: pipeline(action: "- sms:\n    sender: S\n    body: Hi {{frist}}"), line: 7, column: 20,
            fragment: "unknown template variable \"frist\""),
        .init(
            name: "template problem in a literal block",
            yaml: pipeline(
                action:
                    "- email:\n    sender: S\n    subject: s\n    text: |\n      Hello {{first_name}},\n      your {{plan}} is ready"
            ),
            line: 10, column: 18, fragment: "`text`: unknown template variable \"plan\""),
        .init(
            name: "template problem after an escape is reported at the value",
            yaml: pipeline(action: "- sms:\n    sender: S\n    body: \"\\tHi {{frist}}\""), line: 7, column: 17,
            fragment: "unknown template variable \"frist\""),
        .init(
            name: "typo in an action key",
            yaml: pipeline(action: "- email:\n    sender: S\n    subject: s\n    text: t\n    reply_ot: r@x.test"),
            line: 9, column: 11, fragment: "unknown key `reply_ot` in `email` (did you mean \"reply_to\"?)"),
        .init(
            name: "config not indented under its type",
            yaml: pipeline(action: "- sms:\n  sender: S\n  body: b"), line: 6, column: 9,
            fragment: "`sender` belongs inside `sms`: indent it under `sms:`", count: 2),
        .init(
            name: "the same action type twice", yaml: pipeline(action: "- move: first\n  move: first"), line: 6,
            column: 9, fragment: "exactly one type; found `move` and `move`"),
        .init(
            name: "duplicate key",
            yaml: pipeline(action: "- sms:\n    sender: S\n    sender: T\n    body: b"), line: 7, column: 11,
            fragment: "duplicate key `sender` in `sms`"),
        .init(
            name: "max_attempts zero",
            yaml: pipeline(action: "- webhook:\n    url: https://x.test/\n  max_attempts: 0"), line: 7, column: 23,
            fragment: "`max_attempts` must be at least 1"),
        .init(
            name: "max_attempts on an internal action", yaml: pipeline(action: "- wait: 1s\n  max_attempts: 3"),
            line: 6, column: 23, fragment: "`max_attempts` applies only to email, sms and webhook"),
        .init(
            name: "max_attempts not a number",
            yaml: pipeline(action: "- webhook:\n    url: https://x.test/\n  max_attempts: many"), line: 7, column: 23,
            fragment: "`max_attempts` must be a whole number"),
        .init(
            name: "actions not a list", yaml: "name: p\nstages:\n  - name: s\n    actions: end\n", line: 4,
            column: 14, fragment: "`actions` must be a list of actions"),
        .init(
            name: "stage without a name", yaml: "name: p\nstages:\n  - actions: [end]\n", line: 3, column: 5,
            fragment: "the stage needs a name"),
        .init(
            name: "stage named next", yaml: "name: p\nstages:\n  - name: next\n", line: 3, column: 11,
            fragment: "`next` is reserved"),
        .init(
            name: "action after end", yaml: pipeline(action: "- end\n- wait: 1s\n- end"), line: 6, column: 9,
            fragment: "this action never runs: the `end` before it leaves the stage"),
        .init(
            name: "action after move", yaml: pipeline(action: "- move: first\n- end"), line: 6, column: 9,
            fragment: "this action never runs: the `move` before it leaves the stage"),
        .init(
            name: "name is a list", yaml: "name: [a, b]\nstages:\n  - name: s\n", line: 1, column: 7,
            fragment: "`name` must be a single value, found a list"),
        .init(
            name: "two documents", yaml: "name: p\nstages: [{name: s}]\n---\nname: q\n", line: 3, column: 1,
            fragment: "not valid YAML"),
        .init(
            name: "stage is a string", yaml: "name: p\nstages:\n  - first\n", line: 3, column: 5,
            fragment: "expected a stage"),
    ]

    @Test("reports the one mistake at its line and column", arguments: documents)
    func reportsTheMistake(_ document: InvalidDocument) throws {
        let problems = try #require(throws: PipelineProblems.self) {
            try PipelineDecoder().decode(yaml: document.yaml, file: "p.yaml")
        }
        let located = problems.problems.map { "\($0.line):\($0.column): \($0.message)" }
        #expect(
            problems.problems.contains {
                $0.line == document.line && $0.column == document.column && $0.message.contains(document.fragment)
            }, "\(located)")
        #expect(problems.problems.allSatisfy { $0.file == "p.yaml" })
        // One mistake, one message: the validator must not repeat what the reader already said.
        #expect(problems.problems.count == document.count, "\(located)")
    }

    @Test("every problem of a document is reported, in source order")
    func everyProblem() throws {
        let yaml = """
            name: p
            stages:
              - name: a
                actions:
                  - wait: 5x
                  - sms: {sender: S}
                  - move: nowhere
              - name: a
            """
        let problems = try #require(throws: PipelineProblems.self) {
            try PipelineDecoder().decode(yaml: yaml, file: "f.yaml")
        }
        #expect(
            problems.description == """
                f.yaml:5:15: `wait`: malformed duration "5x": expected a whole number and a unit (s, m, h, d), e.g. 90s, 15m, 2h, 1h30m
                f.yaml:6:9: `sms` needs `body`
                f.yaml:7:15: `move` names unknown stage "nowhere"; stages: a
                f.yaml:8:11: duplicate stage name "a"; stage names must be unique
                """)
    }

    @Test("a problem prints as file:line:column: message")
    func problemDescription() {
        #expect(PipelineProblem(file: "a.yaml", line: 3, column: 7, message: "m").description == "a.yaml:3:7: m")
        #expect(PipelineProblem(line: 3, column: 7, message: "m").description == "3:7: m")
    }
}
