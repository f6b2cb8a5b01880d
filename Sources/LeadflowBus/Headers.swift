/// The headers of a bus message: an optional inline status and ordered, repeatable name/value fields.
///
/// Stored in their wire form — the `NATS/1.0` header block — and read lazily: encoding is free, decoding
/// only validates, and headers forwarded from one message to the next (a trace context) are never
/// re-encoded. Names keep their case on the wire; look-ups ignore case, as NATS clients do.
public struct Headers: Sendable, Equatable {
    /// One header line.
    public struct Field: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    /// The header block exactly as it travels; empty when there are no headers. Always valid.
    public private(set) var block: [UInt8]

    /// Whether a `Content-Type` field is present — noted while the block is validated or built, so that
    /// decoding a payload (every received message) scans the block only when it has one.
    private(set) var hasContentType = false

    public init() { block = [] }

    /// Wraps a block ``HeaderBlock/decode(_:limit:)`` validated.
    init(validatedBlock: [UInt8], hasContentType: Bool) {
        block = validatedBlock
        self.hasContentType = hasContentType
    }

    /// Headers from `(name, value)` pairs; each is validated.
    public init(_ pairs: KeyValuePairs<String, String>) throws(HeaderBlockError) {
        block = []
        for (name, value) in pairs { try append(name, value) }
    }

    public var isEmpty: Bool { block.isEmpty }

    /// The 3-digit inline status of the `NATS/1.0` line (e.g. 503), if any.
    public var status: Int? { statusLine?.code }

    /// The status description that follows the code, if any.
    public var statusDescription: String? { statusLine?.description }

    /// Every field, in order.
    public var fields: [Field] {
        var fields: [Field] = []
        forEachField { name, value in
            fields.append(Field(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
            return true
        }
        return fields
    }

    /// The first value of `name`, compared case-insensitively.
    public subscript(name: String) -> String? {
        if block.isEmpty { return nil }  // the common case on receipt: nothing to scan
        var found: String?
        var name = name
        name.withUTF8 { wanted in
            forEachField { fieldName, value in
                guard HeaderBlock.sameName(fieldName, wanted) else { return true }
                found = String(decoding: value, as: UTF8.self)
                return false
            }
        }
        return found
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        var values: [String] = []
        let wanted = Array(name.utf8)
        forEachField { fieldName, value in
            if HeaderBlock.sameName(fieldName, wanted) { values.append(String(decoding: value, as: UTF8.self)) }
            return true
        }
        return values
    }

    /// Adds a field after the existing ones (names may repeat).
    public mutating func append(_ name: String, _ value: String) throws(HeaderBlockError) {
        try HeaderBlock.validate(name: name, value: value)
        var name = name
        var value = value.trimmingHeaderWhitespace()
        // Publishers run this once per message: raw memcpy appends, no intermediate arrays or strings.
        let extra = name.utf8.count + value.utf8.count + 4
        if block.isEmpty {
            block.reserveCapacity(12 + extra)
            Self.appendStatic(&block, "NATS/1.0\r\n")
        } else {
            block.removeLast(2)  // the final empty line; it is put back below
            block.reserveCapacity(block.count + extra + 2)
        }
        name.withUTF8 { bytes in
            block.append(contentsOf: bytes)
            if !hasContentType { hasContentType = HeaderBlock.sameName(bytes, HeaderBlock.contentTypeName) }
        }
        Self.appendStatic(&block, ": ")
        value.withUTF8 { block.append(contentsOf: $0) }
        Self.appendStatic(&block, "\r\n\r\n")
    }

    private static func appendStatic(_ block: inout [UInt8], _ text: StaticString) {
        text.withUTF8Buffer { block.append(contentsOf: $0) }
    }

    /// Replaces every field of `name` with one field.
    public mutating func set(_ name: String, _ value: String) throws(HeaderBlockError) {
        try HeaderBlock.validate(name: name, value: value)
        remove(name)
        try append(name, value)
    }

    /// Removes every field of `name`.
    public mutating func remove(_ name: String) {
        let wanted = Array(name.utf8)
        let kept = fields.filter { !HeaderBlock.sameName(Array($0.name.utf8), wanted) }
        rebuild(status: statusLine, fields: kept)
    }

    /// Sets the inline status; `code` must have three digits and the description no line breaks.
    public mutating func setStatus(_ code: Int, description: String? = nil) throws(HeaderBlockError) {
        guard (100...999).contains(code) else { throw .invalidStatus(line: 1) }
        if let description, !HeaderBlock.isValidValue(description) { throw .invalidStatus(line: 1) }
        let text = description?.trimmingHeaderWhitespace()
        rebuild(status: (code, text.flatMap { $0.isEmpty ? nil : $0 }), fields: fields)
    }

    // MARK: Reading the block

    /// The parsed `NATS/1.0 <code> <description>` line, when it has a status.
    private var statusLine: (code: Int, description: String?)? {
        guard let end = HeaderBlock.lineEnd(block, from: 0) else { return nil }
        var headers: (code: Int, description: String?)?
        try? HeaderBlock.decodeStatus(block[HeaderBlock.version.count..<end], line: 1) { code, description in
            headers = (code, description)
        }
        return headers
    }

    /// Calls `body` with the raw name and (trimmed) value of each field, until it returns `false`.
    private func forEachField(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool) {
        // Every received message looks up its Content-Type: walk raw memory, no slices or bounds checks.
        block.withUnsafeBufferPointer { bytes in
            guard var start = HeaderBlock.lineEnd(bytes, from: 0).map({ $0 + 2 }) else { return }
            while let end = HeaderBlock.lineEnd(bytes, from: start), end > start {
                var colon = start
                while bytes[colon] != HeaderBlock.colon { colon += 1 }  // a valid block has one on every line
                var valueStart = colon + 1, valueEnd = end
                while valueStart < valueEnd, bytes[valueStart] == HeaderBlock.space || bytes[valueStart] == HeaderBlock.tab {
                    valueStart += 1
                }
                while valueEnd > valueStart, bytes[valueEnd - 1] == HeaderBlock.space || bytes[valueEnd - 1] == HeaderBlock.tab {
                    valueEnd -= 1
                }
                let name = UnsafeBufferPointer(rebasing: bytes[start..<colon])
                let value = UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd])
                guard body(name, value) else { return }
                start = end + 2
            }
        }
    }

    private mutating func rebuild(status: (code: Int, description: String?)?, fields: [Field]) {
        block = []
        hasContentType = false
        if let status {
            var line = HeaderBlock.version
            line += Array(" \(status.code)".utf8)
            if let description = status.description { line += Array(" \(description)".utf8) }
            block = line + HeaderBlock.crlf + HeaderBlock.crlf
        }
        for field in fields { try! append(field.name, field.value) }  // valid: they came from this block
    }
}

extension Headers {
    /// Header names with a meaning on the Leadflow bus.
    public enum Name {
        /// The publisher's unique message id: required on ingest, the deduplication key.
        public static let msgID = "Nats-Msg-Id"
        /// W3C trace context, propagated ingest → scheduler → handler → result.
        public static let traceparent = "Traceparent"
        /// `application/protobuf` (the default) or `application/json`.
        public static let contentType = "Content-Type"
        /// The attempt number of an action dispatch.
        public static let attempt = "Leadflow-Attempt"
        /// The organization of the action a result is about: the scheduler applies results in turns across
        /// organizations.
        public static let org = "Leadflow-Org"
    }
}

extension String {
    func trimmingHeaderWhitespace() -> String {
        var text = self
        let needsTrim = text.withUTF8 { bytes in
            guard let first = bytes.first, let last = bytes.last else { return false }
            return first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09
        }
        if !needsTrim { return self }
        return String(decoding: HeaderBlock.trimmed(Array(utf8)[...]), as: UTF8.self)
    }
}
