/// A concrete NATS subject as published: dot-separated tokens of printable ASCII, no wildcards, ≤ 255 bytes.
public struct Subject: Sendable, Hashable, CustomStringConvertible {
    /// The subject's bytes, exactly as they travel in the first frame.
    public let bytes: [UInt8]

    public static let maxLength = 255

    /// Validates `string` as a publishable subject.
    public init(_ string: String) throws(SubjectError) {
        try self.init(bytes: Array(string.utf8))
    }

    /// Validates the bytes of a received subject frame.
    public init(bytes: [UInt8]) throws(SubjectError) {
        if let error = Self.validate(bytes) { throw error }
        self.bytes = bytes
    }

    /// Builds a subject from tokens, e.g. `["lead", "upsert", org]`; each token is validated.
    public init(tokens: [String]) throws(SubjectError) {
        try self.init(tokens.joined(separator: "."))
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { string }

    /// The subject's tokens.
    public var tokens: [Substring] { string.split(separator: ".", omittingEmptySubsequences: false) }

    /// The last token — by Leadflow convention the organization id of client and event subjects.
    public var lastToken: Substring { tokens.last! }

    /// The first problem in `bytes` as a published subject, or `nil` when they are valid.
    public static func validate(_ bytes: [UInt8]) -> SubjectError? {
        if bytes.isEmpty { return .empty }
        if bytes.count > maxLength { return .tooLong(length: bytes.count, limit: maxLength) }
        return bytes.withUnsafeBufferPointer { buffer -> SubjectError? in
            var token = 0
            var tokenLength = 0
            for offset in 0..<buffer.count {
                let byte = buffer[offset]
                switch byte {
                case UInt8(ascii: "."):
                    if tokenLength == 0 { return .emptyToken(index: token) }
                    token += 1
                    tokenLength = 0
                case UInt8(ascii: "*"), UInt8(ascii: ">"):
                    return .wildcardInSubject(offset: offset)
                case 33...126:
                    tokenLength += 1
                default:
                    return .invalidByte(byte, offset: offset)
                }
            }
            return tokenLength == 0 ? .emptyToken(index: token) : nil
        }
    }
}
