/// One problem found in a YAML source (a pipeline definition, a collector rule file), located by line and column.
public struct SourceProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (or other source name); empty when unknown.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in Unicode scalars as libyaml does.
    public var column: Int
    public var message: String

    public init(file: String = "", line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, the form compilers use so editors can jump to it.
    public var description: String {
        file.isEmpty ? "\(line):\(column): \(message)" : "\(file):\(line):\(column): \(message)"
    }
}
