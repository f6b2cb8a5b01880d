import LeadflowProto

extension Leadflow_V1_Measurement {
    /// Why the collector cannot use this measurement, or nil when it can.
    var malformation: String? {
        if let problem = Self.tokenProblem(component, "component") { return problem }
        if let problem = Self.tokenProblem(operation, "operation") { return problem }
        switch kind {
        case .unspecified, .span:
            guard hasDuration else { return "span without a duration" }
            // The range protobuf allows for a Duration (±10,000 years); beyond it the value is garbage.
            guard duration.seconds >= 0, duration.nanos >= 0, duration.seconds <= 315_576_000_000,
                duration.nanos < 1_000_000_000
            else { return "span duration \(duration.seconds) s \(duration.nanos) ns is negative or out of range" }
        case .counter:
            guard value.isFinite, value >= 0 else { return "counter increment \(value) is negative or not finite" }
        case .gauge:
            guard value.isFinite else { return "gauge reading \(value) is not finite" }
        case .UNRECOGNIZED(let raw):
            return "unknown measurement kind \(raw)"
        }
        return nil
    }

    /// The duration in whole microseconds, rounded to the nearest.
    var durationMicroseconds: UInt64 {
        UInt64(duration.seconds) * 1_000_000 + (UInt64(duration.nanos) + 500) / 1_000
    }

    /// A subject token: printable ASCII without `.`, `*`, `>`, as the subject `metrics.<component>.<operation>`
    /// requires.
    private static func tokenProblem(_ token: String, _ what: String) -> String? {
        if token.isEmpty { return "empty \(what)" }
        let valid = token.utf8.allSatisfy { byte in
            (33...126).contains(byte) && byte != UInt8(ascii: ".") && byte != UInt8(ascii: "*")
                && byte != UInt8(ascii: ">")
        }
        return valid && token.utf8.count <= 64 ? nil : "\(what) is not a subject token of at most 64 characters"
    }
}
