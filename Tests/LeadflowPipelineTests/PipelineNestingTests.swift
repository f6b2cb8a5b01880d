import Testing

@testable import LeadflowPipeline

/// Regression: 4,000 nested flow sequences (4 KB, Fuzz/regressions/pipeline/deep-flow-nesting) overflowed the
/// stack in Yams' recursive composer and crashed `pipeline validate`; found while fuzzing the pipeline decoder.
@Suite("Deeply nested pipeline YAML")
struct PipelineNestingTests {
    @Test("nesting deeper than the limit is a located problem, not a crash", arguments: [
        String(repeating: "[", count: 4_000),
        "name: p\nstages:\n" + String(repeating: "- ", count: 3_000) + "x\n",
    ])
    func tooDeep(_ yaml: String) {
        let error = #expect(throws: PipelineProblems.self) { try PipelineDecoder().decode(yaml: yaml, file: "deep.yaml") }
        let problem = error?.problems.first
        #expect(error?.problems.count == 1)
        #expect(problem?.message.contains("nested deeper than 128 levels") == true, "\(String(describing: problem))")
        #expect(problem?.line ?? 0 >= 1)
    }

    @Test("nesting up to the limit is still read as YAML")
    func atTheLimit() {
        let yaml = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        let error = #expect(throws: PipelineProblems.self) { try PipelineDecoder().decode(yaml: yaml, file: "deep.yaml") }
        #expect(error?.problems.contains { $0.message.contains("nested deeper") } == false, "\(String(describing: error))")
    }
}
