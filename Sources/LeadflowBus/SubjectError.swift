/// Why a subject or a subscription pattern is not valid NATS syntax (ADR-6).
public enum SubjectError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case tooLong(length: Int, limit: Int)
    /// Two dots in a row, or a leading or trailing dot.
    case emptyToken(index: Int)
    /// A byte outside printable ASCII 33–126 (space, control, non-ASCII).
    case invalidByte(UInt8, offset: Int)
    /// A `*` or `>` in a subject that is published; only subscriptions take wildcards.
    case wildcardInSubject(offset: Int)
    /// A wildcard that is part of a longer token, such as `lead*`.
    case wildcardInsideToken(index: Int)
    /// `>` anywhere but the last token.
    case fullWildcardNotLast(index: Int)

    public var description: String {
        switch self {
        case .empty: "subject is empty"
        case .tooLong(let length, let limit): "subject is \(length) bytes, longer than \(limit)"
        case .emptyToken(let index): "subject token \(index + 1) is empty"
        case .invalidByte(let byte, let offset):
            "subject byte \(offset) (0x\(String(byte, radix: 16))) is not printable ASCII"
        case .wildcardInSubject(let offset): "published subject contains a wildcard at byte \(offset)"
        case .wildcardInsideToken(let index): "wildcard inside token \(index + 1); '*' and '>' must be whole tokens"
        case .fullWildcardNotLast(let index): "'>' at token \(index + 1) is not the last token"
        }
    }
}
