import CYaml
import Yams

/// YAML composition with a nesting limit: Yams' composer recurses once per level of nesting, so a few kilobytes
/// of `[[[[…` (or `- - - …`) exhausted the stack and crashed whatever read the file — found by fuzzing the
/// pipeline decoder (docs/fuzzing.md). libyaml's own parser keeps its stacks on the heap, so walking its events
/// first finds the depth without recursing.
public enum YAMLNesting {
    /// Far beyond any configuration, pipeline or rule file (they nest fewer than ten levels), and far below the
    /// 4,000 levels that overflowed the main thread's 8 MiB stack in the sanitizer build.
    public static let maxDepth = 128

    /// `Yams.compose(yaml:)`, after refusing a document nested deeper than ``maxDepth`` with a ``YAMLNestingError``
    /// located at the collection that goes too deep.
    public static func compose(yaml: String) throws -> Node? {
        try check(yaml)
        return try Yams.compose(yaml: yaml)
    }

    static func check(_ yaml: String) throws(YAMLNestingError) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(yaml.utf8)
        let tooDeep: YAMLNestingError? = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0
            while true {
                var event = yaml_event_t()
                // A syntax error stops the walk; Yams reports it, located, when it parses the same text.
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    if depth > maxDepth {
                        return YAMLNestingError(
                            line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_STREAM_END_EVENT:
                    return nil
                default:
                    break
                }
            }
        }
        if let tooDeep { throw tooDeep }
    }
}
