import Foundation
import LeadflowYAML
import Yams

/// The YAML half of `RuleFileDecoder`: walks the node tree, builds the typed rules and reports every problem
/// at the node it concerns (a missing field at the mapping that lacks it).
struct RuleFileReader {
    let file: String
    private(set) var problems: [RuleFileProblem] = []

    init(file: String) {
        self.file = file
    }

    /// A mapping's key node and value node.
    struct Field {
        var key: Node
        var value: Node
    }

    // MARK: Problems

    mutating func report(_ message: String, at node: Node?) {
        let mark = node?.mark
        problems.append(
            RuleFileProblem(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    func problem(forYAMLError error: any Error) -> RuleFileProblem {
        let problem = YAMLSyntaxProblem(error)
        return RuleFileProblem(file: file, line: problem.line, column: problem.column, message: problem.message)
    }

    // MARK: Shapes

    /// The mapping's fields by key; reports a node that is not a mapping (nil), and duplicate or unknown keys.
    mutating func fields(of node: Node, allowed: [String], in what: String) -> [String: Field]? {
        guard case .mapping(let mapping) = node else {
            report("expected \(what) (a mapping), found \(Self.kindName(of: node))", at: node)
            return nil
        }
        var fields: [String: Field] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                report("keys of \(what) must be plain words, found \(Self.kindName(of: key))", at: key)
                continue
            }
            if fields[scalar.string] != nil {
                report("duplicate key `\(scalar.string)` in \(what)", at: key)
            } else if !allowed.contains(scalar.string) {
                report(
                    "unknown key `\(scalar.string)` in \(what); known keys: \(allowed.joined(separator: ", "))", at: key)
            } else {
                fields[scalar.string] = Field(key: key, value: value)
            }
        }
        return fields
    }

    /// A scalar's text; nil (reported) for a list, a mapping or nothing at all.
    mutating func string(_ node: Node, _ key: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report("`\(key)` must be a single value, found \(Self.kindName(of: node))", at: node)
            return nil
        }
        if Self.isNull(scalar) {
            report("`\(key)` has no value", at: node)
            return nil
        }
        return scalar.string
    }

    /// A duration such as `250ms` or `5m`; nil (reported) when malformed.
    mutating func duration(_ node: Node, _ key: String, positive: Bool = false) -> TimeInterval? {
        guard let text = string(node, key) else { return nil }
        do {
            let seconds = try RuleDuration.seconds(from: text)
            if positive, seconds <= 0 {
                report("`\(key)` must be longer than 0s, got \"\(text)\"", at: node)
                return nil
            }
            return seconds
        } catch {
            report("`\(key)`: \(error.message)", at: node)
            return nil
        }
    }

    /// A number, zero or more (at most `maximum`); nil (reported) otherwise.
    mutating func number(_ node: Node, _ key: String, maximum: Double = .infinity) -> Double? {
        guard let text = string(node, key) else { return nil }
        guard let value = Double(text), value.isFinite else {
            report("`\(key)` must be a number, got \"\(text)\"", at: node)
            return nil
        }
        guard value >= 0 else {
            report("`\(key)` cannot be negative, got \(text)", at: node)
            return nil
        }
        guard value <= maximum else {
            report("`\(key)` must be at most \(ValueUnit.short(maximum)), got \(text)", at: node)
            return nil
        }
        return value
    }

    /// A whole number, zero or more; nil (reported) otherwise.
    mutating func count(_ node: Node, _ key: String) -> Int? {
        guard let text = string(node, key) else { return nil }
        guard let value = Int(text) else {
            report("`\(key)` must be a whole number, got \"\(text)\"", at: node)
            return nil
        }
        guard value >= 0 else {
            report("`\(key)` cannot be negative, got \(text)", at: node)
            return nil
        }
        return value
    }

    /// A share written `5%` or as a fraction from 0 to 1; nil (reported) otherwise.
    mutating func share(_ node: Node, _ key: String) -> Double? {
        guard let text = string(node, key) else { return nil }
        let percent = text.hasSuffix("%")
        let digits = percent ? String(text.dropLast()).trimmingCharacters(in: .whitespaces) : text
        guard let number = Double(digits), number.isFinite else {
            report("`\(key)` must be a percentage like 5% or a fraction like 0.05, got \"\(text)\"", at: node)
            return nil
        }
        let value = percent ? number / 100 : number
        guard value >= 0 else {
            report("`\(key)` cannot be negative, got \(text)", at: node)
            return nil
        }
        guard value <= 1 else {
            report("`\(key)` must be a share from 0 to 1 or a percentage up to 100%, got \(text)", at: node)
            return nil
        }
        return value
    }

    /// One pattern or a list of them.
    mutating func patterns(_ node: Node, _ key: String) -> [SeriesPattern]? {
        let items: [Node]
        if case .sequence(let sequence) = node { items = Array(sequence) } else { items = [node] }
        var patterns: [SeriesPattern] = []
        for item in items {
            guard let text = string(item, key) else { return nil }
            do {
                patterns.append(try SeriesPattern(text))
            } catch {
                report("`\(key)`: \(error.message)", at: item)
                return nil
            }
        }
        if patterns.isEmpty { report("`\(key)` must name at least one series", at: node) }
        return patterns.isEmpty ? nil : patterns
    }

    /// A list of plain values (one value reads as a list of one).
    mutating func strings(_ node: Node, _ key: String) -> [String]? {
        let items: [Node]
        if case .sequence(let sequence) = node { items = Array(sequence) } else { items = [node] }
        var values: [String] = []
        for item in items {
            guard let text = string(item, key) else { return nil }
            values.append(text)
        }
        return values
    }

    /// A mapping of plain keys to plain values.
    mutating func stringMap(_ node: Node, _ key: String) -> [String: String]? {
        guard case .mapping(let mapping) = node else {
            report("`\(key)` must be a mapping of names to values, found \(Self.kindName(of: node))", at: node)
            return nil
        }
        var map: [String: String] = [:]
        for (name, value) in mapping {
            guard let name = string(name, key) else { continue }
            if map[name] != nil {
                report("duplicate key `\(name)` in `\(key)`", at: node)
                continue
            }
            // An empty value is meaningful in `where` (the label must be absent).
            if case .scalar(let scalar) = value, Self.isNull(scalar) {
                map[name] = ""
            } else if let text = string(value, name) {
                map[name] = text
            }
        }
        return map
    }

    /// An exact `component.operation` name (no wildcards), for override keys.
    mutating func seriesName(_ node: Node, _ key: String) -> SpanKey? {
        guard let text = string(node, key) else { return nil }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !text.contains("*"), !text.contains(">"),
            text.utf8.allSatisfy({ (33...126).contains($0) })
        else {
            report("`\(key)` keys must be exact component.operation names, e.g. scheduler.claim; got \"\(text)\"", at: node)
            return nil
        }
        return SpanKey(component: String(parts[0]), operation: String(parts[1]))
    }

    // MARK: Helpers

    static func kindName(of node: Node) -> String {
        switch node {
        case .scalar(let scalar): isNull(scalar) ? "nothing" : "the value \"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }

    /// `~`, `null` or nothing, written plainly; a quoted "null" is text.
    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style != .singleQuoted && scalar.style != .doubleQuoted
            && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }
}
