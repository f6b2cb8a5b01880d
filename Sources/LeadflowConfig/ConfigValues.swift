import Foundation
import LeadflowPipeline

/// Settings from three layers, highest first: command-line `--set key=value` (and dedicated flags), the
/// environment (`LEADFLOW_…`), the YAML file; then the key's default. Typed getters collect every problem
/// instead of stopping at the first, so one start-up reports all of them.
public struct ConfigValues: Sendable {
    let keys: [String: ConfigKey]
    let overrides: [String: String]
    let environment: [String: String]
    let file: [String: String]
    let fileName: String?
    public private(set) var problems: [String] = []

    /// Fails when a layer names a key that does not exist (with a "did you mean" hint).
    public init(
        keys: [ConfigKey], overrides: [String: String] = [:], environment: [String: String] = [:],
        file: [String: String] = [:], fileName: String? = nil
    ) throws(ConfigError) {
        self.keys = Dictionary(keys.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.overrides = overrides
        self.environment = environment
        self.file = file
        self.fileName = fileName
        var unknown: [String] = []
        let names = self.keys.keys
        for key in overrides.keys.sorted() where self.keys[key] == nil {
            unknown.append("--set \(key): unknown setting\(Suggestion.hint(for: key, in: names))")
        }
        for key in file.keys.sorted() where self.keys[key] == nil {
            unknown.append("\(fileName ?? "config file"): unknown setting \(key)\(Suggestion.hint(for: key, in: names))")
        }
        if !unknown.isEmpty { throw ConfigError(unknown) }
    }

    /// The raw value and where it came from; `nil` when unset and without a default.
    public func raw(_ name: String) -> (value: String, source: String)? {
        guard let key = keys[name] else { preconditionFailure("setting \(name) is not declared") }
        if let value = overrides[name] { return (value, "--set \(name)") }
        if let value = environment[key.environmentName] { return (value, key.environmentName) }
        if let value = file[name] { return (value, "\(fileName ?? "config file"): \(name)") }
        if !key.defaultValue.isEmpty { return (key.defaultValue, "default of \(name)") }
        return nil
    }

    public mutating func string(_ name: String) -> String? {
        guard let (value, _) = raw(name) else { return nil }
        return value.isEmpty ? nil : value
    }

    public mutating func int(_ name: String, in range: ClosedRange<Int>) -> Int {
        guard let (value, source) = raw(name) else { return range.lowerBound }
        guard let number = Int(value.trimmingCharacters(in: .whitespaces)) else {
            problems.append("\(source): \"\(value)\" is not a whole number")
            return range.lowerBound
        }
        guard range.contains(number) else {
            problems.append("\(source): \(number) is out of range \(range.lowerBound)…\(range.upperBound)")
            return min(max(number, range.lowerBound), range.upperBound)
        }
        return number
    }

    /// A positive decimal number, e.g. a rate per second (`0.5`, `200`).
    public mutating func positiveNumber(_ name: String) -> Double {
        guard let (value, source) = raw(name) else { return 1 }
        guard let number = Double(value.trimmingCharacters(in: .whitespaces)), number.isFinite, number > 0 else {
            problems.append("\(source): \"\(value)\" is not a positive number")
            return 1
        }
        return number
    }

    public mutating func bool(_ name: String) -> Bool {
        guard let (value, source) = raw(name) else { return false }
        switch value.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default:
            problems.append("\(source): \"\(value)\" is not true or false")
            return false
        }
    }

    /// `250ms`, `5s`, `1m30s`, `24h`, `2d`.
    public mutating func duration(_ name: String) -> Duration {
        guard let (value, source) = raw(name) else { return .zero }
        if value.hasSuffix("ms"), let milliseconds = Int64(value.dropLast(2)), milliseconds >= 0 {
            return .milliseconds(milliseconds)
        }
        do {
            return .seconds(try PipelineDuration.seconds(from: value))
        } catch {
            problems.append("\(source): \(error.message) (or milliseconds, e.g. 250ms)")
            return .zero
        }
    }

    /// A comma-separated list, e.g. of endpoints.
    public mutating func list(_ name: String) -> [String] {
        guard let (value, _) = raw(name) else { return [] }
        return value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Adds problems found by a configuration's own checks.
    public mutating func report(_ more: [String]) { problems += more }

    /// Throws every problem collected so far.
    public func validate() throws(ConfigError) {
        if !problems.isEmpty { throw ConfigError(problems) }
    }
}
