import Foundation

/// The keys one-click unsubscribe tokens are signed and verified with (`unsubscribe.key_file`): the first
/// signs, every one verifies. A key is rotated by putting a new one first — verifiers learn it before signers
/// use it when they get the file first — and deleting the old one once the mail that carries it no longer
/// matters. Prints as the number of keys, never their bytes.
public struct UnsubscribeKeys: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key bytes, the signing key first; never empty.
    let keys: [[UInt8]]

    /// 256 bits: HMAC-SHA256's own strength, and beyond guessing.
    public static let minimumKeyBytes = 32
    /// More than any rotation needs; each one costs an HMAC per forged token.
    public static let maximumKeys = 16

    /// Keys from their bytes, the signing key first.
    public init(_ keys: [[UInt8]]) throws(UnsubscribeKeyError) {
        guard !keys.isEmpty else { throw UnsubscribeKeyError(path: nil, "holds no key") }
        guard keys.count <= Self.maximumKeys else {
            throw UnsubscribeKeyError(path: nil, "holds \(keys.count) keys; at most \(Self.maximumKeys)")
        }
        for (index, key) in keys.enumerated() where key.count < Self.minimumKeyBytes {
            throw UnsubscribeKeyError(
                path: nil, "key \(index + 1) has \(key.count) bytes; a key needs at least \(Self.minimumKeyBytes)")
        }
        self.keys = keys
    }

    /// The keys of a key file: one base64 or base64url key a line, the signing key first; blank lines and lines
    /// starting with `#` are skipped. Errors name the file and the line, never a key.
    public static func read(file path: String) throws(UnsubscribeKeyError) -> UnsubscribeKeys {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw UnsubscribeKeyError(path: path, "no such file")
        }
        guard !isDirectory.boolValue else { throw UnsubscribeKeyError(path: path, "is a directory, not a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UnsubscribeKeyError(path: path, "cannot be read (\(String(cString: strerror(errno))))")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// The keys of a key file's text (``read(file:)``); `path` names it in errors.
    public static func parse(_ text: String, path: String?) throws(UnsubscribeKeyError) -> UnsubscribeKeys {
        var keys: [[UInt8]] = []
        // `\r\n` is one Character: split on every kind of line break, not on "\n".
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            // Standard base64 (what `openssl rand -base64 32` prints) or base64url, padded or not.
            let unpadded = line.replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            guard let key = Base64URL.decode(unpadded) else {
                throw UnsubscribeKeyError(path: path, line: index + 1, "not a base64 key")
            }
            guard key.count >= minimumKeyBytes else {
                throw UnsubscribeKeyError(
                    path: path, line: index + 1, "a key of \(key.count) bytes; a key needs at least \(minimumKeyBytes)")
            }
            keys.append(key)
        }
        do {
            return try UnsubscribeKeys(keys)
        } catch {
            throw UnsubscribeKeyError(path: path, error.reason)
        }
    }

    /// How many keys verify (the first of them signs).
    public var count: Int { keys.count }

    public var description: String { "<\(keys.count) unsubscribe key\(keys.count == 1 ? "" : "s")>" }
    public var debugDescription: String { "UnsubscribeKeys(\(description))" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
