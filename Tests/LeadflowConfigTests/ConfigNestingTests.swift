import LeadflowConfig
import Testing

/// Regression: configuration files go through the YAML composer whose recursion 4 KB of nesting overflowed
/// (found by fuzzing the pipeline decoder, which shares it); a service must refuse such a file with its line.
@Suite struct ConfigNestingTests {
    @Test func aConfigurationNestedTooDeeplyIsRefusedWithItsLine() {
        let text = "ingest:\n  batch: " + String(repeating: "[", count: 4_000)
        let error = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, file: "leadflow.yaml") }
        #expect(error?.description.hasPrefix("leadflow.yaml:2:") == true, "\(String(describing: error))")
        #expect(error?.description.contains("nested deeper than 128 levels") == true, "\(String(describing: error))")
    }
}
