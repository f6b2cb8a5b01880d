/// A NATS subscription pattern: a subject whose tokens may be `*` (exactly one token) or a final `>` (one or
/// more tokens).
///
/// ZeroMQ filters subscriptions by byte prefix only, so the SUB socket subscribes to ``zmqPrefix`` — the
/// literal text before the first wildcard — and ``matches(_:)`` does the real token matching on receipt:
/// `lead.>` does not match `lead`, and the prefix `lead.` of `lead.*` never lets `leadx.a` through.
public struct SubjectPattern: Sendable, Hashable, CustomStringConvertible {
    enum Token: Sendable, Hashable {
        case literal([UInt8])
        case one
        case rest
    }

    public let string: String
    let tokens: [Token]

    public init(_ string: String) throws(SubjectError) {
        let bytes = Array(string.utf8)
        if bytes.isEmpty { throw .empty }
        if bytes.count > Subject.maxLength { throw .tooLong(length: bytes.count, limit: Subject.maxLength) }
        var tokens: [Token] = []
        var offset = 0
        for (index, raw) in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).enumerated() {
            defer { offset += raw.count + 1 }
            if raw.isEmpty { throw .emptyToken(index: index) }
            if raw.count == 1 && raw.first == UInt8(ascii: "*") {
                tokens.append(.one)
                continue
            }
            if raw.count == 1 && raw.first == UInt8(ascii: ">") {
                tokens.append(.rest)
                continue
            }
            for (position, byte) in raw.enumerated() {
                if byte == UInt8(ascii: "*") || byte == UInt8(ascii: ">") { throw .wildcardInsideToken(index: index) }
                if !(33...126).contains(byte) { throw .invalidByte(byte, offset: offset + position) }
            }
            tokens.append(.literal(Array(raw)))
        }
        if let index = tokens.dropLast().firstIndex(of: .rest) { throw .fullWildcardNotLast(index: index) }
        self.string = string
        self.tokens = tokens
    }

    public var description: String { string }

    /// Whether the pattern has no wildcard, i.e. names exactly one subject.
    public var isLiteral: Bool {
        tokens.allSatisfy { if case .literal = $0 { true } else { false } }
    }

    /// The byte prefix to hand to `ZMQ_SUBSCRIBE`: everything before the first wildcard.
    public var zmqPrefix: [UInt8] {
        var prefix: [UInt8] = []
        for token in tokens {
            guard case .literal(let bytes) = token else { break }
            prefix += bytes
            prefix.append(UInt8(ascii: "."))
        }
        return isLiteral ? Array(prefix.dropLast()) : prefix
    }

    public func matches(_ subject: Subject) -> Bool { matches(subjectBytes: subject.bytes) }

    /// Token-by-token match against the bytes of a valid subject, without allocating.
    public func matches(subjectBytes bytes: [UInt8]) -> Bool {
        var start = 0
        var index = 0
        while index < tokens.count {
            if start > bytes.count { return false }  // subject ran out of tokens
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: ".") { end += 1 }
            switch tokens[index] {
            case .rest:
                return start < bytes.count
            case .one:
                if end == start { return false }
            case .literal(let literal):
                if end - start != literal.count { return false }
                var position = 0
                while position < literal.count {
                    if bytes[start + position] != literal[position] { return false }
                    position += 1
                }
            }
            start = end + 1
            index += 1
        }
        return start == bytes.count + 1
    }
}
