import Foundation
import LeadflowSecrets
import ZeroMQ

/// Reading and writing the key files `leadflow keys generate` makes.
///
/// A secret key file holds the Z85 secret key on its first line that is not a `#` comment (mode 0600). A
/// public key file holds one allow-list line, `<public key> <name> [org,org…]`, so that it can be dropped
/// into an allow-list directory as it is, or named by `bus.curve_server_key_file`.
public enum CurveKeyFile {
    /// This process's key pair, from its secret key file.
    public static func keyPair(secretKeyFile path: String) throws(CurveKeyError) -> CurveKeyPair {
        let (key, line) = try firstKey(in: path)
        guard let pair = try? CurveKeyPair(secretKey: Secret(key)) else {
            throw CurveKeyError(.malformedKey, path: path, line: line, "not a 40-character Z85 CURVE secret key")
        }
        return pair
    }

    /// The public key in a public key file (its first key).
    public static func publicKey(file path: String) throws(CurveKeyError) -> String {
        try firstKey(in: path).key
    }

    /// Writes `pair`: the secret key to `path` (0600) and its allow-list line to `path.pub` (0644). Refuses to
    /// replace either file unless `overwrite`. Returns the public file's path.
    @discardableResult
    public static func write(
        _ pair: CurveKeyPair, to path: String, name: String, organizations: [String] = [], overwrite: Bool = false
    ) throws(CurveKeyError) -> String {
        let publicPath = path + ".pub"
        var line = "\(pair.publicKey) \(name)"
        if !organizations.isEmpty { line += " " + organizations.joined(separator: ",") }
        guard CurveAllowList.isValidName(name) else {
            throw CurveKeyError(.malformedLine, path: publicPath, "name \"\(name)\" must be printable, without spaces, commas or #")
        }
        for org in organizations where !CurveAllowList.isValidName(org) {
            throw CurveKeyError(.malformedLine, path: publicPath, "organization \"\(org)\" must be printable, without spaces, commas or #")
        }
        // ASCII only, so that any tool reads the files.
        let secret = "# Leadflow CURVE secret key (\(name)); keep it private. Its public half is in \(publicPath)\n\(pair.secretKey.revealed)\n"
        let allowLine = "# Leadflow CURVE public key, as an allow-list line: <public key> <name> [org,org...]\n\(line)\n"
        if !overwrite {
            for existing in [path, publicPath] where FileManager.default.fileExists(atPath: existing) {
                throw CurveKeyError(.exists, path: existing, "already exists; pass --force to replace it")
            }
        }
        try writeFile(secret, to: path, mode: 0o600)
        try writeFile(allowLine, to: publicPath, mode: 0o644)
        return publicPath
    }

    /// The file's text, or why it cannot be read.
    static func read(_ path: String) throws(CurveKeyError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CurveKeyError(.missing, path: path, "no such file")
        }
        guard !isDirectory.boolValue else { throw CurveKeyError(.unreadable, path: path, "is a directory, not a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CurveKeyError(.unreadable, path: path, "cannot be read (\(String(cString: strerror(errno))))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func firstKey(in path: String) throws(CurveKeyError) -> (key: String, line: Int) {
        let text = try read(path)
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let tokens = CurveAllowList.tokens(of: line)
            guard let first = tokens.first else { continue }
            guard CurveKeyPair.isValidKey(first) else {
                throw CurveKeyError(.malformedKey, path: path, line: index + 1, "not a 40-character Z85 CURVE key")
            }
            return (first, index + 1)
        }
        throw CurveKeyError(.malformedKey, path: path, "holds no key")
    }

    private static func writeFile(_ text: String, to path: String, mode: mode_t) throws(CurveKeyError) {
        // Created with its final mode, so that a secret is never readable by others, not even for a moment.
        _ = unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw CurveKeyError(.unwritable, path: path, "cannot be created (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        _ = fchmod(fd, mode)  // the umask may have taken bits the public file should have
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw CurveKeyError(.unwritable, path: path, "could not be written (\(String(cString: strerror(errno))))")
        }
    }
}
