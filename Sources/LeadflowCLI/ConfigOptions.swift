import ArgumentParser
import Foundation
import LeadflowConfig

/// `--config FILE` and `--set key=value`: how every service command takes its settings (docs/configuration.md).
struct ConfigOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("YAML configuration file (default: $LEADFLOW_CONFIG).", valueName: "file"))
    var file: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Set one setting, e.g. --set scheduler.claim_batch=2000 (repeatable; see the list below).",
                           valueName: "key=value"))
    var assignments: [String] = []

    @OptionGroup var database: DatabaseOptions

    /// Every setting resolved: flags over environment over file over defaults.
    func settings() throws -> LeadflowSettings {
        let environment = ProcessInfo.processInfo.environment
        var overrides: [String: String] = [:]
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw ValidationError("--set \(assignment): expected key=value, e.g. --set scheduler.claim_batch=2000")
            }
            overrides[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        if let url = database.resolved { overrides["database.url"] = url }
        let path = file ?? environment["LEADFLOW_CONFIG"]
        let values = try ConfigValues(
            keys: LeadflowSettings.keys, overrides: overrides, environment: environment,
            file: try path.map { try ConfigFile.load(path: $0) } ?? [:], fileName: path)
        return try LeadflowSettings.resolve(values)
    }

    /// The settings list for `--help`.
    static let discussion = """
        Settings come from --set key=value, then LEADFLOW_<KEY> environment variables, then the YAML file \
        (--config), then these defaults:

        \(LeadflowSettings.helpText)
        """
}
