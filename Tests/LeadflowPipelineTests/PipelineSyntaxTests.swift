import LeadflowProto
import SwiftProtobuf
import Testing

@testable import LeadflowPipeline

@Suite("Durations, templates and the protobuf-level rules")
struct PipelineSyntaxTests {
    @Test(
        "valid durations",
        arguments: [
            ("0s", 0), ("90s", 90), ("15m", 900), ("2h", 7_200), ("3d", 259_200), ("1h30m", 5_400),
            ("2d12h", 216_000), ("1d2h3m4s", 93_784),
        ] as [(String, Int64)])
    func validDuration(_ text: String, _ seconds: Int64) throws {
        #expect(try PipelineDuration.seconds(from: text) == seconds)
    }

    @Test(
        "invalid durations",
        arguments: [
            ("-5m", "is negative"), ("5x", "malformed"), ("", "malformed"), ("5", "malformed"), ("m", "malformed"),
            ("30m1h", "malformed"), ("1h1h", "malformed"), ("1.5h", "malformed"), ("1 h", "malformed"),
            ("99999999999999999999s", "too long"), ("999999999999999d", "too long"),
        ])
    func invalidDuration(_ text: String, _ fragment: String) {
        let error = #expect(throws: PipelineDuration.Invalid.self) { try PipelineDuration.seconds(from: text) }
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
    }

    @Test(
        "templates",
        arguments: [
            ("plain text", nil), ("{{email}} {{ phone }} {{first_name}}{{last_name}}", nil),
            ("{{external_id}} {{attributes.company}}", nil), ("{{name}}", "unknown template variable \"name\""),
            ("{{first_name}", "never closed"), ("Hi }}", "without a matching"), ("{{}}", "empty placeholder"),
            ("{{attributes.}}", "needs an attribute key"), ("{{ {{email}}", "never closed"),
        ] as [(String, String?)])
    func template(_ text: String, _ fragment: String?) {
        let problems = PipelineTemplate.problems(in: text, context: .plainText)
        if let fragment {
            #expect(problems.count == 1 && problems[0].message.contains(fragment), "\(problems)")
        } else {
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("template variables are listed in order, trimmed")
    func variables() {
        #expect(PipelineTemplate.variables(in: "{{ first_name }} <{{email}}>") == ["first_name", "email"])
    }

    @Test("braces are matched byte for byte, and offsets count Unicode scalars, after any text")
    func bracesAndOffsets() {
        // A combining mark after a brace leaves it a brace (a grapheme-aware search would not see `}}` here).
        #expect(PipelineTemplate.variables(in: "Hi {{first_name}}\u{301}!") == ["first_name"])
        let problems = PipelineTemplate.problems(in: "é🌍 }} {{x", context: .plainText)
        #expect(problems.map(\.offset) == [3, 6], "\(problems)")
        // Many stray braces and placeholders, as a fuzzer writes them: every one found, in order.
        let long = String(repeating: "}} {{email}} ", count: 2_000) + "{{"
        #expect(PipelineTemplate.variables(in: long) == Array(repeating: "email", count: 2_000))
        let strays = PipelineTemplate.problems(in: long, context: .plainText)
        #expect(strays.map(\.offset) == stride(from: 0, to: 26_000, by: 13).map { $0 } + [26_000])
        #expect(strays.last?.message.contains("never closed") == true)
    }

    @Test("a definition built in code (as ingest receives it) is checked with paths")
    func protoValidation() {
        var definition = Leadflow_V1_PipelineDefinition()
        definition.stages = [
            .with {
                $0.name = "s"
                $0.actions = [
                    .with { $0.wait = .with { $0.duration = Google_Protobuf_Duration(seconds: -1, nanos: 0) } },
                    .with { $0.wait = Leadflow_V1_WaitAction() },
                    .with { $0.maxAttempts = 3 },
                    .with {
                        $0.end = .init()
                        $0.maxAttempts = 2
                    },
                ]
            }
        ]
        #expect(
            PipelineValidator().issues(in: definition).map(\.description) == [
                "name: the pipeline needs a name",
                "stages[0].actions[0].wait.duration: `duration` must not be negative",
                "stages[0].actions[1].wait.duration: `wait` needs `duration`",
                "stages[0].actions[2]: the action has no type; known types: email, sms, webhook, wait, wait_for_reply, move, end",
                "stages[0].actions[3].max_attempts: `max_attempts` applies only to email, sms and webhook actions",
            ])
    }

    @Test("spelling hints only for plausible typos")
    func suggestions() {
        #expect(Suggestion.closest(to: "subjcet", in: ["sender", "subject", "text"]) == "subject")
        #expect(Suggestion.closest(to: "emial", in: ["email", "sms"]) == "email")
        #expect(Suggestion.closest(to: "banana", in: ["email", "sms"]) == nil)
        // Only candidates within the allowed distance in length are compared; case is ignored either way.
        #expect(Suggestion.closest(to: "FIRST_NAM", in: ["first_name", "email"]) == "first_name")
        #expect(Suggestion.closest(to: String(repeating: "email", count: 2_000), in: ["email"]) == nil)
        #expect(Suggestion.closest(to: "e", in: ["email", "ex"]) == "ex")
    }
}
