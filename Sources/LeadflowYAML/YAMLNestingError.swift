/// A YAML document nested deeper than ``YAMLNesting/maxDepth``, at the collection that goes too deep.
public struct YAMLNestingError: Error, Sendable, Hashable {
    public var line: Int
    public var column: Int
}
