/// One setting: its dotted key (the YAML path), default, and help text. The environment variable is derived:
/// `scheduler.claim_batch` → `LEADFLOW_SCHEDULER_CLAIM_BATCH`.
public struct ConfigKey: Sendable, Hashable {
    public let name: String
    /// The default as it would be written in the file; empty: no default (the setting is optional).
    public let defaultValue: String
    public let help: String

    public init(_ name: String, _ defaultValue: String, _ help: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.help = help
    }

    public var environmentName: String {
        "LEADFLOW_" + name.uppercased().map { $0 == "." ? "_" : $0 }.map(String.init).joined()
    }
}
