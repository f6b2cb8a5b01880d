import Foundation
import Testing

@testable import LeadflowCollector

@Suite struct RuleFileDecoderTests {
    @Test func theDefaultsDecodeAndCoverEveryRuleTheIssueLists() throws {
        let defaults = try DefaultRules.ruleSet()
        #expect(defaults.slowOperations.defaults == SlowOperationThresholds.Levels(warning: 0.1, error: 1))
        let byName = Dictionary(uniqueKeysWithValues: defaults.rules.map { ($0.name, $0) })
        #expect(byName["operation_slow"]?.condition == .duration(DurationCondition(
            selector: SeriesSelector(exclude: [try SeriesPattern("*.step_lag")]), statistic: .p99, above: 0.1,
            minCount: 5)))
        #expect(byName["operation_very_slow"]?.severity == .error)
        #expect(Set(defaults.rules.map(\.condition.kind)) == [
            "duration", "gauge_above", "gauge_growing", "error_rate", "counter_growing", "breaker_open", "n_plus_one",
        ])
        guard case .gaugeAbove(let sla) = byName["oldest_due_over_sla"]?.condition else {
            Issue.record("no SLA rule")
            return
        }
        #expect(sla.above == 120)
        #expect(defaults.requiredHistory == 300)
    }

    @Test func theShippedRuleFileIsTheEmbeddedDefaultsByteForByte() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/collector-rules.yaml")
        let shipped = try Data(contentsOf: file)
        #expect(shipped == Data(DefaultRules.yaml.utf8))
        #expect(try RuleFile.load(path: file.path) == DefaultRules.ruleSet())
    }

    @Test func aFullRuleDecodes() throws {
        let yaml = """
            slow_operations:
              warning: 250ms
              error: off
              overrides:
                scheduler.claim: {warning: 1.5s}
            rules:
              - name: claim_slow
                kind: duration
                severity: critical
                match: [scheduler.claim, "*.db_query"]
                percentile: p90
                above: 100ms
                overrides:
                  scheduler.db_query: 1m30s
                min_count: 3
                for: 30s
                resolve_for: 2m
                labels: {team: platform}
                summary: "{operation} is slow: {value}"
            """
        let set = try RuleFileDecoder().decode(yaml: yaml)
        #expect(set.slowOperations.defaults == .init(warning: 0.25, error: nil))
        #expect(set.slowOperations.overrides[SpanKey(component: "scheduler", operation: "claim")] == .init(
            warning: 1.5, error: nil))
        let rule = try #require(set.rules.first)
        #expect(rule.severity == .critical)
        #expect(rule.holdFor == 30)
        #expect(rule.resolveFor == 120)
        #expect(rule.labels == ["team": "platform"])
        #expect(rule.summary == "{operation} is slow: {value}")
        #expect(rule.condition == .duration(DurationCondition(
            selector: SeriesSelector(match: [try SeriesPattern("scheduler.claim"), try SeriesPattern("*.db_query")]),
            statistic: .p90, above: 0.1, overrides: [SpanKey(component: "scheduler", operation: "db_query"): 90],
            minCount: 3)))
    }

    /// A rule file of one rule with `body` below `- name: r`, the body's lines indented by four spaces.
    static func oneRule(_ body: String) -> String {
        "rules:\n  - name: r\n" + body.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n") + "\n"
    }

    static let problems: [(yaml: String, line: Int, column: Int, message: String)] = [
        ("rules: []\nalerts: 1\n", 2, 1, "unknown key `alerts` in a rule file; known keys: slow_operations, rules"),
        (oneRule("kind: duration\nseverity: warning\nabove: 1s\nthreshold: 2s"), 6, 5,
         "unknown key `threshold` in a `duration` rule"),
        (oneRule("kind: latency\nseverity: warning"), 3, 11, "unknown kind `latency`; known kinds: duration,"),
        (oneRule("kind: gauge_growing\nseverity: warning\nmatch: scheduler.backlog\nover: 5 minutes"), 6, 11,
         "`over`: malformed duration \"5 minutes\": expected a number and a unit"),
        (oneRule("kind: duration\nseverity: warning\nabove: -100ms"), 5, 12, "`above`: duration \"-100ms\" is negative"),
        (oneRule("kind: gauge_above\nseverity: warning\nmatch: scheduler.backlog\nabove: -3"), 6, 12,
         "`above` cannot be negative, got -3"),
        (oneRule("kind: error_rate\nseverity: warning\nabove: 5"), 5, 12,
         "`above` must be a share from 0 to 1 or a percentage up to 100%, got 5"),
        ("rules:\n  - name: a\n    kind: breaker_open\n    severity: info\n  - name: a\n    kind: breaker_open\n"
            + "    severity: info\n", 5, 11, "duplicate rule name `a` (first defined at line 2)"),
        (oneRule("kind: duration\nseverity: warning"), 2, 5, "rule `r` is missing `above` (the duration threshold"),
        (oneRule("kind: gauge_above\nseverity: warning\nabove: 3"), 2, 5, "rule `r` is missing `match`"),
        (oneRule("kind: breaker_open"), 2, 5, "rule `r` is missing `severity` (one of info, warning, error, critical)"),
        ("rules:\n  - kind: breaker_open\n    severity: info\n", 2, 5, "the rule is missing `name`"),
        (oneRule("severity: info"), 2, 5, "rule `r` is missing `kind`"),
        (oneRule("kind: breaker_open\nseverity: fatal"), 4, 15, "unknown severity `fatal`; known severities: info,"),
        ("rules:\n  - name: a.b\n    kind: breaker_open\n    severity: info\n", 2, 11,
         "rule name \"a.b\" must be one subject token"),
        (oneRule("kind: n_plus_one\nseverity: info\nmatch: scheduler"), 5, 12,
         "`match`: series pattern \"scheduler\" must be component.operation"),
        (oneRule("kind: n_plus_one\nseverity: info\nmin_correlation: 2"), 5, 22, "`min_correlation` must be at most 1"),
        (oneRule("kind: duration\nseverity: info\nabove: 1s\npercentile: p95"), 6, 17, "unknown percentile `p95`"),
        (oneRule("kind: duration\nseverity: info\nabove: 1s\noverrides: {\"scheduler.*\": 1s}"), 6, 17,
         "`overrides` keys must be exact component.operation names"),
        (oneRule("kind: breaker_open\nseverity: info\nsummary: \"open {provider\""), 5, 14, "unclosed `{` in the summary"),
        (oneRule("kind: breaker_open\nseverity: info\nlabels: {severity: high}"), 5, 13,
         "label `severity` is set by the collector itself"),
        (oneRule("kind: breaker_open\nseverity: info\nfor: 5"), 5, 10, "`for`: malformed duration \"5\""),
        ("slow_operations:\n  warning: 1 s\nrules: []\n", 2, 12, "`warning`: malformed duration \"1 s\""),
        ("slow_operations: {}\n", 1, 1, "missing `rules`"),
        ("", 1, 1, "the document is empty"),
        ("rules: [\n", 2, 1, "not valid YAML"),
        ("rules: 5\n", 1, 8, "`rules` must be a list of rules, found the value \"5\""),
    ]

    @Test(arguments: problems)
    func everyProblemIsReportedWhereItIs(yaml: String, line: Int, column: Int, message: String) {
        do {
            _ = try RuleFileDecoder().decode(yaml: yaml, file: "rules.yaml")
            Issue.record("decoded without a problem")
        } catch {
            let problem = error.problems.first
            #expect(error.problems.count == 1, "\(error)")
            #expect(problem?.line == line, "\(error)")
            #expect(problem?.column == column, "\(error)")
            #expect(problem?.message.contains(message) == true, "\(error)")
            #expect(problem?.description.hasPrefix("rules.yaml:\(line):\(column): ") == true)
        }
    }

    @Test func everyProblemOfAFileIsReportedAtOnce() {
        let yaml = oneRuleFile()
        #expect {
            try RuleFileDecoder().decode(yaml: yaml)
        } throws: { error in
            (error as? RuleFileProblems)?.problems.map(\.line) == [3, 6]
        }
    }

    private func oneRuleFile() -> String {
        "rules:\n  - name: a\n    kind: nope\n  - name: b\n    kind: breaker_open\n    severity: loud\n"
    }

    @Test(arguments: [
        ("250ms", 0.25), ("1.5s", 1.5), ("5m", 300), ("1h30m", 5_400), ("2d", 172_800), ("0", 0), ("1m500ms", 60.5),
    ])
    func durationsParse(text: String, seconds: Double) throws {
        #expect(try RuleDuration.seconds(from: text) == seconds)
    }

    @Test(arguments: ["5 minutes", "5", "m", "1s1m", "1.s", ".5s", "5mm", "", "1e3s"])
    func malformedDurationsAreRejected(text: String) {
        #expect(throws: RuleDuration.Invalid.self) { try RuleDuration.seconds(from: text) }
    }

    @Test func seriesPatternsMatchWithinATokenOnly() throws {
        let breakers = try SeriesPattern("*_handler.breaker_open")
        #expect(breakers.matches(SpanKey(component: "email_handler", operation: "breaker_open")))
        #expect(!breakers.matches(SpanKey(component: "scheduler", operation: "breaker_open")))
        #expect(try SeriesPattern("*.*").matches(SpanKey(component: "a", operation: "b")))
        #expect(try SeriesPattern("sched*r.cl*m").matches(SpanKey(component: "scheduler", operation: "claim")))
        #expect(!(try SeriesPattern("scheduler.claim").matches(SpanKey(component: "scheduler", operation: "claims"))))
    }
}
