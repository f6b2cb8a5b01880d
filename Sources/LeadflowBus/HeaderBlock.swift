import Glibc

/// The `NATS/1.0` header block codec: `NATS/1.0[ status[ description]]\r\n`, `Name: value\r\n`…, `\r\n`.
///
/// An empty frame means "no headers". ``Headers`` keeps the block itself, so encoding returns it and
/// decoding validates it without building any string.
public enum HeaderBlock {
    static let version = Array("NATS/1.0".utf8)
    static let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, colon = UInt8(ascii: ":"), space: UInt8 = 0x20, tab: UInt8 = 0x09
    static let crlf: [UInt8] = [0x0D, 0x0A]

    /// The wire form of `headers`; empty headers encode as an empty frame.
    public static func encode(_ headers: Headers) -> [UInt8] { headers.block }

    /// Validates a header frame and wraps it; an empty frame (or a block with neither status nor fields)
    /// decodes as empty ``Headers``.
    public static func decode(_ bytes: [UInt8], limit: Int = BusLimits.default.maxHeaderBytes) throws(HeaderBlockError) -> Headers {
        if bytes.isEmpty { return Headers() }
        if bytes.count > limit { throw .tooLarge(size: bytes.count, limit: limit) }
        // Every received message runs this: one pass over raw memory, no bounds checks, no strings.
        let summary = try bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(HeaderBlockError) in try validate(buffer) }
        }.get()
        return summary.hasContent ? Headers(validatedBlock: bytes, hasContentType: summary.hasContentType) : Headers()
    }

    /// What validating a block learnt on the way.
    struct Summary {
        /// The block has a status or a field.
        var hasContent: Bool
        /// One of the fields is `Content-Type`.
        var hasContentType: Bool
    }

    static let contentTypeName = Array(Headers.Name.contentType.utf8)

    /// Checks a whole block.
    static func validate(_ bytes: UnsafeBufferPointer<UInt8>) throws(HeaderBlockError) -> Summary {
        guard bytes.count >= version.count, version.withUnsafeBufferPointer({ prefix in
            memcmp(prefix.baseAddress!, bytes.baseAddress!, prefix.count) == 0
        }) else { throw .badVersionLine }
        var line = 1
        guard let statusEnd = lineEnd(bytes, from: version.count) else { throw .unterminated(line: line) }
        var hasStatus = false
        try decodeStatus(Array(bytes[version.count..<statusEnd])[...], line: line) { _, _ in hasStatus = true }
        var start = statusEnd + 2
        var fieldCount = 0
        var hasContentType = false
        while true {
            line += 1
            guard let end = lineEnd(bytes, from: start) else { throw .unterminated(line: line) }
            if end == start {
                if end + 2 != bytes.count { throw .trailingBytes(offset: end + 2) }
                return Summary(hasContent: hasStatus || fieldCount > 0, hasContentType: hasContentType)
            }
            var colonIndex = start
            while colonIndex < end && bytes[colonIndex] != colon { colonIndex += 1 }
            if colonIndex == end { throw .missingColon(line: line) }
            if colonIndex == start { throw .invalidName(line: line) }
            for index in start..<colonIndex where !isNameByte(bytes[index]) { throw .invalidName(line: line) }
            guard isValidValue(UnsafeBufferPointer(rebasing: bytes[(colonIndex + 1)..<end])) else {
                throw .invalidValue(line: line)
            }
            if !hasContentType, colonIndex - start == contentTypeName.count {
                hasContentType = sameName(UnsafeBufferPointer(rebasing: bytes[start..<colonIndex]), contentTypeName)
            }
            fieldCount += 1
            start = end + 2
        }
    }

    /// See ``lineEnd(_:from:)-([UInt8],Int)``.
    static func lineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
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

    static func isValidValue(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        var hasNonASCII = false
        for byte in value {
            if byte >= 0x80 { hasNonASCII = true } else if isControl(byte) { return false }
        }
        return !hasNonASCII || String(validating: value, as: UTF8.self) != nil
    }

    /// The index of the CR of the next CRLF at or after `start`; `nil` if the line is unterminated or has a
    /// bare CR or LF.
    static func lineEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBufferPointer { lineEnd($0, from: start) }
    }

    /// Parses what follows `NATS/1.0` on the first line: nothing, or ` <3 digits>[ <description>]`, calling
    /// `found` with the status when there is one.
    static func decodeStatus(
        _ rest: ArraySlice<UInt8>, line: Int, found: (Int, String?) -> Void
    ) throws(HeaderBlockError) {
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
        let value = code.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        found(value, description)
    }

    static func isNameByte(_ byte: UInt8) -> Bool { (33...126).contains(byte) && byte != colon }

    /// ASCII case-insensitive comparison of two header names.
    static func sameName<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { lowercase($0) == lowercase($1) }
    }

    @inline(__always)
    static func lowercase(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }

    /// Values are tab, printable ASCII or valid UTF-8; never other control bytes (CR and LF included).
    static func isValidValue(_ value: ArraySlice<UInt8>) -> Bool {
        value.withUnsafeBufferPointer { isValidValue($0) }
    }

    /// A Swift string is valid UTF-8 already: only control bytes can make it an invalid value.
    static func isValidValue(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            for byte in bytes where isControl(byte) { return false }
            return true
        }
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
        var name = name
        let validName = name.withUTF8 { bytes in
            if bytes.isEmpty { return false }
            for byte in bytes where !isNameByte(byte) { return false }
            return true
        }
        guard validName else { throw .invalidName(line: 0) }
        guard isValidValue(value) else { throw .invalidValue(line: 0) }
    }
}
