/// A W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/): the trace a piece of work belongs
/// to, the span that caused it and the trace flags, carried by the `Traceparent` bus header from ingest to the
/// result and by the `traceparent` HTTP header to providers.
///
/// Parsing is strict, as the specification asks of receivers: a value that is not valid is not repaired but
/// replaced by a new trace (see ``init(_:)``). Formatting always writes version `00`.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    /// The trace id: 16 bytes, never all zero.
    public let traceIDBytes: [UInt8]
    /// The parent (span) id: 8 bytes, never all zero.
    public let parentIDBytes: [UInt8]
    /// The trace flags; bit 0 is `sampled`.
    public let flags: UInt8

    /// The metadata key of the trace id in log lines (the same key in every service).
    public static let logMetadataKey = "trace_id"
    /// The `sampled` bit of ``flags``.
    public static let sampledFlag: UInt8 = 0x01

    /// A trace context from its parts; `nil` when an id has the wrong length or is all zero (invalid per the
    /// specification).
    public init?(traceID: [UInt8], parentID: [UInt8], flags: UInt8) {
        guard traceID.count == 16, parentID.count == 8, traceID.contains(where: { $0 != 0 }),
            parentID.contains(where: { $0 != 0 })
        else { return nil }
        traceIDBytes = traceID
        parentIDBytes = parentID
        self.flags = flags
    }

    /// Parses a `traceparent` header value; `nil` when it is not valid, in which case the receiver starts a new
    /// trace (specification §4.3).
    ///
    /// Version `00` must be exactly `00-<32 hex>-<16 hex>-<2 hex>`, lower-case hex only, with neither id all
    /// zero. Version `ff` is invalid. A higher version is read as version `00` when its first 55 characters
    /// parse and are followed by the end of the value or a `-` (whatever follows is not understood and
    /// dropped); of its flags only `sampled` is kept, the other bits meaning something unknown in that version.
    public init?(_ value: String) {
        let bytes = Array(value.utf8)
        guard bytes.count >= 55, bytes[2] == Self.dash, bytes[35] == Self.dash, bytes[52] == Self.dash,
            let version = Self.hexByte(bytes[0], bytes[1]), version != 0xff,
            let traceID = Self.hexBytes(bytes[3..<35]), let parentID = Self.hexBytes(bytes[36..<52]),
            var flags = Self.hexByte(bytes[53], bytes[54])
        else { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else {
            guard bytes.count == 55 || bytes[55] == Self.dash else { return nil }
            flags &= Self.sampledFlag
        }
        self.init(traceID: traceID, parentID: parentID, flags: flags)
    }

    /// A new trace: random trace and parent ids from the system's secure generator, sampled unless told
    /// otherwise.
    public static func random(sampled: Bool = true) -> TraceParent {
        var generator = SystemRandomNumberGenerator()
        return TraceParent(
            traceIDBytes: randomID(count: 16, using: &generator), parentIDBytes: randomID(count: 8, using: &generator),
            flags: sampled ? sampledFlag : 0)
    }

    /// The context for work this one causes: the same trace and flags, a new parent id.
    public func child() -> TraceParent {
        var generator = SystemRandomNumberGenerator()
        return TraceParent(
            traceIDBytes: traceIDBytes, parentIDBytes: Self.randomID(count: 8, using: &generator), flags: flags)
    }

    /// Whether the caller may have recorded the trace (the `sampled` flag).
    public var isSampled: Bool { flags & Self.sampledFlag != 0 }

    /// The trace id as 32 lower-case hex digits: what log lines carry under ``logMetadataKey``.
    public var traceID: String { Self.hex(traceIDBytes) }

    /// The parent id as 16 lower-case hex digits.
    public var parentID: String { Self.hex(parentIDBytes) }

    /// The header value, version `00`.
    public var description: String { "00-\(traceID)-\(parentID)-\(Self.hex([flags]))" }

    // MARK: Hex

    private init(traceIDBytes: [UInt8], parentIDBytes: [UInt8], flags: UInt8) {
        self.traceIDBytes = traceIDBytes
        self.parentIDBytes = parentIDBytes
        self.flags = flags
    }

    private static let dash = UInt8(ascii: "-")
    private static let digits = Array("0123456789abcdef".utf8)

    /// A random id that is not all zero (which would be invalid; a 1 in 2^64 chance for a parent id).
    private static func randomID(count: Int, using generator: inout SystemRandomNumberGenerator) -> [UInt8] {
        while true {
            let id = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if id.contains(where: { $0 != 0 }) { return id }
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The value of a lower-case hex digit; upper case is not valid in a `traceparent`.
    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    private static func hexByte(_ high: UInt8, _ low: UInt8) -> UInt8? {
        guard let high = nibble(high), let low = nibble(low) else { return nil }
        return high << 4 | low
    }

    private static func hexBytes(_ digits: ArraySlice<UInt8>) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index < digits.endIndex {
            guard let byte = hexByte(digits[index], digits[index + 1]) else { return nil }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }
}
