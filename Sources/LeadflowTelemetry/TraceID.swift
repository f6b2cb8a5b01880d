/// The trace id of a W3C `traceparent` (`00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`), for the
/// `trace_id` of measurements. Deliberately small: the shared trace-context type replaces it.
enum TraceID {
    /// The 32 lower-case hex digits, or an empty string when `traceparent` is missing or malformed (an all-zero
    /// trace id is invalid too).
    static func of(_ traceparent: String?) -> String {
        guard let traceparent else { return "" }
        let utf8 = Array(traceparent.utf8)
        guard utf8.count >= 55, utf8[2] == UInt8(ascii: "-"), utf8[35] == UInt8(ascii: "-") else { return "" }
        let id = utf8[3..<35]
        let isHex = id.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        guard isHex, id.contains(where: { $0 != UInt8(ascii: "0") }) else { return "" }
        return String(decoding: id, as: UTF8.self)
    }
}

extension Telemetry {
    /// The trace id of a `Traceparent` header value, empty when there is none or it is malformed.
    public static func traceID(fromTraceparent traceparent: String?) -> String { TraceID.of(traceparent) }
}
