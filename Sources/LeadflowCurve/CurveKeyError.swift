/// A CURVE key file or allow-list that cannot be used: which file (and line), and why — never the content,
/// which may be a secret key pasted in the wrong place.
public struct CurveKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes, for tests and for operators' alerting on logs.
    public enum Code: String, Sendable, Hashable {
        /// The file or directory does not exist.
        case missing = "missing"
        /// It exists but cannot be read (permissions, a directory where a file was expected, …).
        case unreadable = "unreadable"
        /// A key file without a 40-character Z85 key.
        case malformedKey = "malformed_key"
        /// An allow-list line that is not `<key> <name> [org,org…]`.
        case malformedLine = "malformed_line"
        /// `keys generate` would overwrite a file.
        case exists = "exists"
        /// A file could not be written.
        case unwritable = "unwritable"
    }

    public let code: Code
    public let path: String
    /// The 1-based line, for allow-list and key-file content problems.
    public let line: Int?
    /// What is wrong, in words; never a key or the line's text.
    public let reason: String

    public init(_ code: Code, path: String, line: Int? = nil, _ reason: String) {
        self.code = code
        self.path = path
        self.line = line
        self.reason = reason
    }

    public var description: String {
        if let line { return "\(path):\(line): \(reason)" }
        return "\(path): \(reason)"
    }
}
