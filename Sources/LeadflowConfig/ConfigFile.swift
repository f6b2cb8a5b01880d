import Foundation
import LeadflowYAML
import Yams

/// An optional YAML configuration file, flattened to dotted keys (`scheduler: {claim_batch: 500}` →
/// `scheduler.claim_batch = 500`).
public enum ConfigFile {
    /// Reads `path`; every problem (unreadable file, bad YAML, a value that is a list) is an error naming it.
    public static func load(path: String) throws(ConfigError) -> [String: String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError("\(path): cannot read the configuration file (\(error.localizedDescription))")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> [String: String] {
        let root: Node?
        do {
            root = try YAMLNesting.compose(yaml: text)
        } catch {
            // Located, never quoted: the line at fault may hold a password.
            let problem = YAMLSyntaxProblem(error)
            throw ConfigError("\(file):\(problem.line):\(problem.column): \(problem.message)")
        }
        guard let root else { return [:] }
        var values: [String: String] = [:]
        var problems: [String] = []
        flatten(root, prefix: "", into: &values, problems: &problems, file: file)
        if !problems.isEmpty { throw ConfigError(problems) }
        return values
    }

    private static func flatten(
        _ node: Node, prefix: String, into values: inout [String: String], problems: inout [String], file: String
    ) {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard let name = key.string else {
                    problems.append("\(file):\(key.mark?.line ?? 0): keys must be plain words")
                    continue
                }
                flatten(value, prefix: prefix.isEmpty ? name : "\(prefix).\(name)", into: &values, problems: &problems, file: file)
            }
        case .scalar(let scalar):
            values[prefix] = scalar.string
        case .sequence(let sequence):
            // Lists are only endpoint lists; written joined by commas, as the environment spells them.
            var items: [String] = []
            for item in sequence {
                guard let text = item.string else {
                    problems.append("\(file):\(item.mark?.line ?? 0): \(prefix) must be a list of plain values")
                    continue
                }
                items.append(text)
            }
            values[prefix] = items.joined(separator: ",")
        }
    }
}
