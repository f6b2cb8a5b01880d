import Testing

@testable import LeadflowCollector

/// Regression: rule files go through the same YAML composer whose recursion 4 KB of nesting overflowed
/// (Fuzz/regressions/rules/deep-block-nesting); the collector must refuse such a file, not crash on it.
@Suite struct RuleFileNestingTests {
    @Test(arguments: [String(repeating: "{a: ", count: 2_000), "rules:\n" + String(repeating: "- ", count: 3_000) + "x\n"])
    func aRuleFileNestedTooDeeplyIsALocatedProblem(_ yaml: String) {
        let error = #expect(throws: RuleFileProblems.self) { try RuleFileDecoder().decode(yaml: yaml, file: "deep.yaml") }
        #expect(error?.problems.count == 1)
        #expect(error?.problems.first?.message.contains("nested deeper than 128 levels") == true, "\(String(describing: error))")
    }
}
