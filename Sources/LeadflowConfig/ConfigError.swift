/// A setting that cannot be used, with where it came from, so the message says what to fix where.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var messages: [String]

    public init(_ messages: [String]) { self.messages = messages }

    public init(_ message: String) { self.messages = [message] }

    public var description: String {
        messages.count == 1 ? messages[0] : "invalid configuration:\n" + messages.map { "  - \($0)" }.joined(separator: "\n")
    }
}
