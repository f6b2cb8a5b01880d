/// The `NATS/1.0` header block codec: `NATS/1.0[ status[ description]]\r\n`, `Name: value\r\n`…, `\r\n`.
///
/// An empty frame means "no headers" and encodes an empty ``Headers``.
public enum HeaderBlock {
    static let version = Array("NATS/1.0".utf8)
    static let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, colon = UInt8(ascii: ":"), space: UInt8 = 0x20, tab: UInt8 = 0x09

    /// Encodes `headers`; empty headers encode as an empty frame.
    public static func encode(_ headers: Headers) -> [UInt8] {
        if headers.isEmpty { return [] }
        var statusLine = ""
        if let status = headers.status {
            statusLine = " \(status)"
            if let description = headers.statusDescription { statusLine += " " + description }
        }
        // One exact allocation: this runs once per message on every publisher (appending UTF-8 views into a
        // reserved array measured faster than copying through raw pointers).
        var count = version.count + statusLine.utf8.count + 4
        for field in headers.fields { count += field.name.utf8.count + field.value.utf8.count + 4 }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        out.append(contentsOf: version)
        out.append(contentsOf: statusLine.utf8)
        out.append(cr)
        out.append(lf)
        for field in headers.fields {
            out.append(contentsOf: field.name.utf8)
            out.append(colon)
            out.append(space)
            out.append(contentsOf: field.value.utf8)
            out.append(cr)
            out.append(lf)
        }
        out.append(cr)
        out.append(lf)
        return out
    }

    /// Decodes a header frame; an empty frame decodes as empty ``Headers``.
    public static func decode(_ bytes: [UInt8], limit: Int = BusLimits.default.maxHeaderBytes) throws(HeaderBlockError) -> Headers {
        var headers = Headers()
        if bytes.isEmpty { return headers }
        if bytes.count > limit { throw .tooLarge(size: bytes.count, limit: limit) }
        guard hasVersionPrefix(bytes) else { throw .badVersionLine }
        var line = 1
        guard let statusEnd = lineEnd(bytes, from: version.count) else { throw .unterminated(line: line) }
        try decodeStatus(bytes[version.count..<statusEnd], into: &headers, line: line)
        var start = statusEnd + 2
        while true {
            line += 1
            guard let end = lineEnd(bytes, from: start) else { throw .unterminated(line: line) }
            if end == start {
                if end + 2 != bytes.count { throw .trailingBytes(offset: end + 2) }
                return headers
            }
            guard let colonIndex = bytes[start..<end].firstIndex(of: colon) else { throw .missingColon(line: line) }
            let name = bytes[start..<colonIndex]
            guard !name.isEmpty, name.allSatisfy(isNameByte) else { throw .invalidName(line: line) }
            let value = trimmed(bytes[(colonIndex + 1)..<end])
            guard isValidValue(value) else { throw .invalidValue(line: line) }
            headers.appendDecoded(
                name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
            start = end + 2
        }
    }

    static func hasVersionPrefix(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= version.count else { return false }
        for index in 0..<version.count where bytes[index] != version[index] { return false }
        return true
    }

    /// The index of the CR of the next CRLF at or after `start`; `nil` if the line is unterminated or has a
    /// bare CR or LF.
    static func lineEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case cr: return index + 1 < bytes.count && bytes[index + 1] == lf ? index : nil
            case lf: return nil
            default: index += 1
            }
        }
        return nil
    }

    static func decodeStatus(_ rest: ArraySlice<UInt8>, into headers: inout Headers, line: Int) throws(HeaderBlockError) {
        if rest.isEmpty { return }
        guard rest.first == space else { throw .badVersionLine }
        let afterSpace = rest.dropFirst()
        let code = afterSpace.prefix(3)
        guard code.count == 3, code.allSatisfy({ (0x30...0x39).contains($0) }) else { throw .invalidStatus(line: line) }
        var description: String?
        let tail = afterSpace.dropFirst(3)
        if !tail.isEmpty {
            guard tail.first == space else { throw .invalidStatus(line: line) }
            let text = trimmed(tail.dropFirst())
            guard isValidValue(text) else { throw .invalidStatus(line: line) }
            description = text.isEmpty ? nil : String(decoding: text, as: UTF8.self)
        }
        headers.setDecodedStatus(Int(String(decoding: code, as: UTF8.self))!, description: description)
    }

    static func isNameByte(_ byte: UInt8) -> Bool { (33...126).contains(byte) && byte != colon }

    /// Values are tab, printable ASCII or valid UTF-8; never other control bytes (CR and LF included).
    static func isValidValue(_ value: ArraySlice<UInt8>) -> Bool {
        var hasNonASCII = false
        for byte in value {
            if byte >= 0x80 { hasNonASCII = true } else if isControl(byte) { return false }
        }
        return !hasNonASCII || String(validating: value, as: UTF8.self) != nil
    }

    /// A Swift string is valid UTF-8 already: only control bytes can make it an invalid value.
    static func isValidValue(_ value: String) -> Bool {
        for byte in value.utf8 where isControl(byte) { return false }
        return true
    }

    @inline(__always)
    static func isControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != tab) || byte == 0x7F }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == space || first == tab { slice = slice.dropFirst() }
        while let last = slice.last, last == space || last == tab { slice = slice.dropLast() }
        return slice
    }

    static func validate(name: String, value: String) throws(HeaderBlockError) {
        guard !name.isEmpty else { throw .invalidName(line: 0) }
        for byte in name.utf8 where !isNameByte(byte) { throw .invalidName(line: 0) }
        guard isValidValue(value) else { throw .invalidValue(line: 0) }
    }
}
