import Foundation

/// Reads and decodes a rule file from a path, for `leadflow collector` (`collector.rules`).
public enum RuleFile {
    /// The rules in the file at `path`; an unreadable file is reported as a problem at line 1.
    public static func load(path: String) throws(RuleFileProblems) -> RuleSet {
        let yaml: String
        do {
            yaml = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RuleFileProblems([
                RuleFileProblem(
                    file: path, line: 1, column: 1, message: "cannot read the file: \(error.localizedDescription)")
            ])
        }
        return try RuleFileDecoder().decode(yaml: yaml, file: path)
    }
}
