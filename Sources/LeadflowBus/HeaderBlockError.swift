/// Why a header block is malformed; lines are numbered from 1 (the `NATS/1.0` line);
/// line 0 means a header built in code rather than decoded.
public enum HeaderBlockError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLarge(size: Int, limit: Int)
    /// The block does not start with `NATS/1.0`.
    case badVersionLine
    /// The status after `NATS/1.0` is not three digits, or its description has invalid bytes.
    case invalidStatus(line: Int)
    /// A line is not terminated by CRLF, or the block lacks its final empty line.
    case unterminated(line: Int)
    /// A field line has no colon.
    case missingColon(line: Int)
    /// A field name is empty or has bytes outside printable ASCII (or a colon).
    case invalidName(line: Int)
    /// A field value has a control byte or invalid UTF-8.
    case invalidValue(line: Int)
    /// Bytes follow the final empty line.
    case trailingBytes(offset: Int)

    public var description: String {
        func at(_ line: Int) -> String { line > 0 ? "line \(line): " : "" }
        return switch self {
        case .tooLarge(let size, let limit): "header block is \(size) bytes, larger than \(limit)"
        case .badVersionLine: "header block does not start with 'NATS/1.0'"
        case .invalidStatus(let line): "\(at(line))status must be three digits and an optional description"
        case .unterminated(let line): "\(at(line))missing CRLF (a header block ends with an empty line)"
        case .missingColon(let line): "\(at(line))header field has no ':'"
        case .invalidName(let line): "\(at(line))header name must be printable ASCII without ':'"
        case .invalidValue(let line): "\(at(line))header value has a control character or invalid UTF-8"
        case .trailingBytes(let offset): "unexpected bytes after the end of the header block at offset \(offset)"
        }
    }
}
