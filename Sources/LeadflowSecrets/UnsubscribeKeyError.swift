/// An unsubscribe key file that cannot be used: which file (and line), and why — never a key.
public struct UnsubscribeKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, when the keys came from one.
    public let path: String?
    /// The 1-based line of a malformed key.
    public let line: Int?
    /// What is wrong, in words.
    public let reason: String

    public init(path: String?, line: Int? = nil, _ reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    public var description: String {
        guard let path else { return reason }
        return path + (line.map { ":\($0)" } ?? "") + ": " + reason
    }
}
