import ZeroMQ

/// The client keys a CURVE server accepts, each with a name and, optionally, the organizations it may
/// publish for.
///
/// Text form, one key per line: `<z85 public key> <name> [org,org…]`; `#` starts a comment. Without
/// organizations a key may publish for every organization. Two lines may share a name — a client's old and
/// new key during a rotation — but not a key.
public struct CurveAllowList: Sendable, Equatable {
    /// One allowed key.
    public struct Entry: Sendable, Equatable {
        public let publicKey: String
        public let name: String
        /// The organizations the key may publish for; `nil`: every one.
        public let organizations: Set<String>?

        public init(publicKey: String, name: String, organizations: Set<String>? = nil) {
            self.publicKey = publicKey
            self.name = name
            self.organizations = organizations
        }

        /// Whether the key may publish for `org`.
        public func mayPublish(for org: String) -> Bool { organizations?.contains(org) ?? true }
    }

    public private(set) var entries: [String: Entry] = [:]

    public init(_ entries: [Entry] = []) {
        for entry in entries { self.entries[entry.publicKey] = entry }
    }

    public func entry(for publicKey: String) -> Entry? { entries[publicKey] }

    public var count: Int { entries.count }

    /// Reads allow-list text; `file` names it in errors, which give the line and never its text.
    public static func parse(_ text: String, file: String) throws(CurveKeyError) -> CurveAllowList {
        var list = CurveAllowList()
        try list.add(text, file: file)
        return list
    }

    /// Adds the entries of `text`; a key already on the list is an error naming both places.
    mutating func add(_ text: String, file: String) throws(CurveKeyError) {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let tokens = Self.tokens(of: line)
            guard !tokens.isEmpty else { continue }
            let lineNumber = index + 1
            func problem(_ reason: String) -> CurveKeyError {
                CurveKeyError(.malformedLine, path: file, line: lineNumber, reason)
            }
            guard CurveKeyPair.isValidKey(tokens[0]) else {
                throw problem("the first field is not a 40-character Z85 CURVE public key")
            }
            guard tokens.count >= 2 else { throw problem("the key has no name (expected <key> <name> [org,org…])") }
            guard tokens.count <= 3 else {
                throw problem("too many fields (expected <key> <name> [org,org…]; separate organizations with commas)")
            }
            guard Self.isValidName(tokens[1]) else { throw problem("the name must be printable, without commas") }
            var organizations: Set<String>?
            if tokens.count == 3 {
                let names = tokens[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard names.allSatisfy({ !$0.isEmpty && Self.isValidName($0) }) else {
                    throw problem("organizations must be a comma-separated list without empty names")
                }
                organizations = Set(names)
            }
            guard entries[tokens[0]] == nil else { throw problem("this key is already on the list") }
            entries[tokens[0]] = Entry(publicKey: tokens[0], name: tokens[1], organizations: organizations)
        }
    }

    /// A line's whitespace-separated fields without its comment. `#` belongs to the Z85 alphabet, so a first
    /// field that is a whole key is a key even when it starts with `#`; any other field starting with `#`
    /// begins the comment.
    static func tokens(of line: Substring) -> [String] {
        var tokens: [String] = []
        for field in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
            if field.hasPrefix("#") && !(tokens.isEmpty && CurveKeyPair.isValidKey(String(field))) { break }
            tokens.append(String(field))
        }
        return tokens
    }

    /// Names and organizations: printable ASCII without spaces, commas or `#`, at most 255 bytes.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 255
            && name.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "#") }
    }
}
