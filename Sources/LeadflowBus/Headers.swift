/// The headers of a bus message: an optional inline status and ordered, repeatable name/value fields.
///
/// Names keep their case on the wire; look-ups ignore case, as NATS clients do.
public struct Headers: Sendable, Equatable {
    /// One header line.
    public struct Field: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    /// The 3-digit inline status of the `NATS/1.0` line (e.g. 503), if any.
    public private(set) var status: Int?
    /// The status description that follows the code, if any.
    public private(set) var statusDescription: String?
    public private(set) var fields: [Field] = []

    public init() {}

    /// Headers from `(name, value)` pairs; each is validated.
    public init(_ pairs: KeyValuePairs<String, String>) throws(HeaderBlockError) {
        for (name, value) in pairs { try append(name, value) }
    }

    public var isEmpty: Bool { status == nil && fields.isEmpty }

    /// The first value of `name`, compared case-insensitively.
    public subscript(name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// Adds a field after the existing ones (names may repeat).
    public mutating func append(_ name: String, _ value: String) throws(HeaderBlockError) {
        try HeaderBlock.validate(name: name, value: value)
        fields.append(Field(name: name, value: value.trimmingHeaderWhitespace()))
    }

    /// Replaces every field of `name` with one field.
    public mutating func set(_ name: String, _ value: String) throws(HeaderBlockError) {
        try HeaderBlock.validate(name: name, value: value)
        remove(name)
        fields.append(Field(name: name, value: value.trimmingHeaderWhitespace()))
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { Self.sameName($0.name, name) }
    }

    /// Sets the inline status; `code` must have three digits and the description no line breaks.
    public mutating func setStatus(_ code: Int, description: String? = nil) throws(HeaderBlockError) {
        guard (100...999).contains(code) else { throw .invalidStatus(line: 1) }
        if let description, !HeaderBlock.isValidValue(description) { throw .invalidStatus(line: 1) }
        status = code
        statusDescription = description.flatMap { $0.isEmpty ? nil : $0 }
    }

    mutating func appendDecoded(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    mutating func setDecodedStatus(_ code: Int, description: String?) {
        status = code
        statusDescription = description
    }

    static func sameName(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a.lowercased() == b.lowercased()
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
    }
}

extension String {
    func trimmingHeaderWhitespace() -> String {
        func isBlank(_ byte: UInt8?) -> Bool { byte == 0x20 || byte == 0x09 }
        if !isBlank(utf8.first) && !isBlank(utf8.last) { return self }
        let bytes = Array(utf8)
        var start = 0, end = bytes.count
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        return start == 0 && end == bytes.count ? self : String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
