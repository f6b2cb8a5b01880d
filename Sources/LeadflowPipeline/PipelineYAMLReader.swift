import LeadflowDomain
import LeadflowProto
import LeadflowYAML
import SwiftProtobuf
import Yams

/// The YAML half of `PipelineDecoder`: walks the node tree, builds the protobuf definition, records where each
/// value came from and reports shape problems (wrong node kinds, unknown keys, bad durations) as it goes.
struct PipelineYAMLReader {
    let file: String
    private(set) var problems: [PipelineProblem] = []
    private var marks: [PipelinePath: Location] = [:]

    /// A 1-based line and column (Yams' `Mark` cannot be created outside Yams).
    struct Location: Hashable {
        var line: Int
        var column: Int
        static let start = Location(line: 1, column: 1)
        init(line: Int, column: Int) { (self.line, self.column) = (line, column) }
        init(_ mark: Mark) { (line, column) = (mark.line, mark.column) }
    }
    private var reported: Set<PipelinePath> = []

    /// Each scalar read as text, so a problem at an offset in it can be located on its own line and column.
    private var scalars: [PipelinePath: Node.Scalar] = [:]
    /// The layouts of the scalars problems were located in so far.
    private var layouts: [PipelinePath: ScalarLayout] = [:]

    /// What locating an offset in a scalar needs, worked out once per scalar however many problems it has (a
    /// template can have one at every brace): where the value's lines start, in Unicode scalars (0, then after
    /// each `\n`); for a one-line value, whether the source holds it verbatim from its mark on; for a literal
    /// block, the indentation of its first non-blank line.
    private struct ScalarLayout {
        var lineStarts: [Int] = [0]
        var count = 0
        var verbatim = false
        var indentation: Int?
    }
    /// The source's lines, for the indentation of literal blocks (`text: |`).
    private let lines: [Substring]

    init(file: String, yaml: String = "") {
        self.file = file
        self.lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
    }

    static let actionTypes = ActionType.allCases.map(\.rawValue)

    // MARK: Locations and problems

    mutating func report(_ message: String, at node: Node?, path: PipelinePath) {
        let mark = node?.mark.map(Location.init) ?? location(of: path)
        problems.append(PipelineProblem(file: file, line: mark.line, column: mark.column, message: message))
        reported.insert(path)
    }

    /// Whether the reader already reported a problem at `path` or above it, so the validator's view of the
    /// half-built value (a missing field the reader could not read) does not repeat it.
    func alreadyReported(_ path: PipelinePath) -> Bool {
        var current: PipelinePath? = path
        while let candidate = current {
            if reported.contains(candidate) { return true }
            current = candidate.parent
        }
        return false
    }

    mutating func problem(_ message: String, at path: PipelinePath, offset: Int? = nil) -> PipelineProblem {
        var mark: Location?
        if let offset, let scalar = scalars[path] {
            let layout = layouts[path] ?? layout(of: scalar)
            layouts[path] = layout
            mark = location(of: offset, in: scalar, layout: layout)
        }
        let location = mark ?? location(of: path)
        return PipelineProblem(file: file, line: location.line, column: location.column, message: message)
    }

    /// The mark of `path`, or of its nearest recorded ancestor: a missing field is reported where its
    /// enclosing value starts.
    private func location(of path: PipelinePath) -> Location {
        var current: PipelinePath? = path
        while let candidate = current {
            if let mark = marks[candidate] { return mark }
            current = candidate.parent
        }
        return .start
    }

    private func layout(of scalar: Node.Scalar) -> ScalarLayout {
        var layout = ScalarLayout()
        for character in scalar.string.unicodeScalars {
            layout.count += 1
            if character == "\n" { layout.lineStarts.append(layout.count) }
        }
        guard let mark = scalar.mark else { return layout }
        switch scalar.style {
        case .plain, .singleQuoted, .doubleQuoted:
            // Only where the source holds the value verbatim on one line: an escape (`\t`, `''`) shifts columns.
            let start = mark.column - 1 + (scalar.style == .plain ? 0 : 1)
            layout.verbatim =
                mark.line <= lines.count && !scalar.string.contains("\n")
                && lines[mark.line - 1].unicodeScalars.dropFirst(start).starts(with: scalar.string.unicodeScalars)
        case .literal:
            // The block's content starts on the line after `|`; its indentation is that of its first non-blank line.
            layout.indentation = lines.dropFirst(mark.line).first(where: { !$0.allSatisfy(\.isWhitespace) })
                .map { $0.prefix(while: { $0 == " " }).count }
        default:
            break
        }
        return layout
    }

    /// The line and column of the `offset`-th Unicode scalar of a scalar's value, where the source maps onto the
    /// value one to one: a one-line scalar written without escapes, or a literal block. Nil otherwise (folded
    /// text, escapes), and the problem is reported where the scalar starts.
    private func location(of offset: Int, in scalar: Node.Scalar, layout: ScalarLayout) -> Location? {
        guard let mark = scalar.mark else { return nil }
        let offset = min(max(offset, 0), layout.count)
        // The last line start at or before the offset: its index is the line within the value.
        var (low, high) = (0, layout.lineStarts.count - 1)
        while low < high {
            let middle = (low + high + 1) / 2
            if layout.lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let (line, column) = (low, offset - layout.lineStarts[low])
        switch scalar.style {
        case .plain, .singleQuoted, .doubleQuoted:
            guard layout.verbatim else { return nil }
            return Location(line: mark.line, column: mark.column - 1 + (scalar.style == .plain ? 0 : 1) + 1 + column)
        case .literal:
            guard let indentation = layout.indentation, mark.line + line < lines.count else { return nil }
            return Location(line: mark.line + 1 + line, column: indentation + 1 + column)
        default:
            return nil
        }
    }

    func problem(forYAMLError error: any Error) -> PipelineProblem {
        let problem = YAMLSyntaxProblem(error)
        return PipelineProblem(file: file, line: problem.line, column: problem.column, message: problem.message)
    }

    mutating func record(_ node: Node, at path: PipelinePath) {
        if let mark = node.mark { marks[path] = Location(mark) }
    }

    // MARK: Pipeline and stages

    mutating func definition(from root: Node?) -> Leadflow_V1_PipelineDefinition {
        var definition = Leadflow_V1_PipelineDefinition()
        guard let root else {
            report("the document is empty; expected a pipeline with `name` and `stages`", at: nil, path: .root)
            return definition
        }
        record(root, at: .root)
        guard let fields = fields(of: root, allowed: ["name", "stages"], in: "a pipeline", path: .root) else {
            return definition
        }
        if let name = fields["name"] {
            definition.name = string(name, "name", path: PipelinePath.root.key("name")) ?? ""
        }
        if let stages = fields["stages"] {
            definition.stages = list(stages, "stages", path: PipelinePath.root.key("stages")) {
                $0.stage(from: $1, path: $2)
            }
        }
        return definition
    }

    private mutating func stage(from node: Node, path: PipelinePath) -> Leadflow_V1_Stage {
        var stage = Leadflow_V1_Stage()
        record(node, at: path)
        guard let fields = fields(of: node, allowed: ["name", "actions"], in: "a stage", path: path) else {
            return stage
        }
        if let name = fields["name"] {
            stage.name = string(name, "name", path: path.key("name")) ?? ""
        }
        if let actions = fields["actions"] {
            stage.actions = list(actions, "actions", path: path.key("actions")) { $0.action(from: $1, path: $2) }
        }
        return stage
    }

    // MARK: Shared readers

    /// The mapping's values by key; reports duplicate and unknown keys (with a spelling hint) and a node that
    /// is not a mapping at all (then returns nil).
    mutating func fields(of node: Node, allowed: [String], in what: String, path: PipelinePath) -> [String: Node]? {
        guard case .mapping(let mapping) = node else {
            report(
                "expected \(what) (a mapping with \(allowed.map { "`\($0)`" }.joined(separator: ", "))), "
                    + "found \(node.kindName)", at: node, path: path)
            return nil
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                report("keys of \(what) must be plain words, found \(key.kindName)", at: key, path: path)
                continue
            }
            let name = scalar.string
            if fields[name] != nil {
                report("duplicate key `\(name)` in \(what)", at: key, path: path.key(name))
            } else if !allowed.contains(name) {
                let suggestion = Suggestion.closest(to: name, in: allowed)
                report(
                    "unknown key `\(name)` in \(what)\(suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""); "
                        + "known keys: \(allowed.joined(separator: ", "))", at: key, path: path.key(name))
                // A misspelt key is also a missing one; saying so twice would only add noise.
                if let suggestion { reported.insert(path.key(suggestion)) }
            } else {
                fields[name] = value
            }
        }
        return fields
    }

    /// The elements of a list, each read by `element` at its own index; nothing given reads as an empty list.
    mutating func list<Element>(
        _ node: Node, _ key: String, path: PipelinePath, _ element: (inout Self, Node, PipelinePath) -> Element
    ) -> [Element] {
        record(node, at: path)
        switch node {
        case .sequence(let items):
            var elements: [Element] = []
            for (index, item) in items.enumerated() { elements.append(element(&self, item, path.index(index))) }
            return elements
        case .scalar(let scalar) where scalar.isNull:
            return []
        default:
            report("`\(key)` must be a list of \(key), found \(node.kindName)", at: node, path: path)
            return []
        }
    }

    /// A scalar's text, recording its mark at `path`; nil (reported) for a list or mapping.
    mutating func string(_ node: Node, _ key: String, path: PipelinePath) -> String? {
        record(node, at: path)
        guard case .scalar(let scalar) = node else {
            report("`\(key)` must be a single value, found \(node.kindName)", at: node, path: path)
            return nil
        }
        scalars[path] = scalar
        // `key:` with nothing after it means "not given"; the validator then says what is missing.
        return scalar.isNull ? "" : scalar.string
    }

    /// A duration such as `2d` or `1h30m`; nil (reported) when malformed.
    mutating func duration(_ node: Node, _ key: String, path: PipelinePath) -> Google_Protobuf_Duration? {
        guard let text = string(node, key, path: path) else { return nil }
        do {
            return Google_Protobuf_Duration(seconds: try PipelineDuration.seconds(from: text), nanos: 0)
        } catch {
            report("`\(key)`: \(error.message)", at: node, path: path)
            return nil
        }
    }
}
