import LeadflowSecrets

/// A handler or driver configuration that cannot work, found at start-up: which setting, and why.
public struct HandlerConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The setting at fault, as the configuration names it, e.g. `smtp.url`.
    public var setting: String
    /// What is wrong and what would be right; never the value of a secret.
    public var message: String

    public init(setting: String, _ message: String) {
        self.setting = setting
        self.message = message
    }

    public var description: String { "\(setting): \(message)" }

    /// Checks `url` against the allowed schemes, naming `setting` when it does not fit.
    static func checkURL(_ url: String, setting: String, schemes: [String]) throws(HandlerConfigurationError) {
        guard !url.isEmpty else {
            throw HandlerConfigurationError(setting: setting, "is required")
        }
        guard let scheme = url.firstRange(of: "://").map({ url[..<$0.lowerBound].lowercased() }),
            schemes.contains(scheme), url.count > scheme.count + 3
        else {
            throw HandlerConfigurationError(
                setting: setting, "must be a URL starting with " + schemes.map { "\($0)://" }.joined(separator: " or "))
        }
    }

    /// Checks that `duration` is positive.
    static func checkPositive(_ duration: Duration, setting: String) throws(HandlerConfigurationError) {
        guard duration > .zero else {
            throw HandlerConfigurationError(setting: setting, "must be longer than zero")
        }
    }

    /// Checks that a required `value` is set.
    static func checkPresent(_ value: Secret, setting: String, hint: String) throws(HandlerConfigurationError) {
        try checkPresent(value.isEmpty ? "" : "set", setting: setting, hint: hint)
    }

    static func checkPresent(_ value: String, setting: String, hint: String) throws(HandlerConfigurationError) {
        guard !value.isEmpty else {
            throw HandlerConfigurationError(setting: setting, "is required (\(hint))")
        }
    }
}
