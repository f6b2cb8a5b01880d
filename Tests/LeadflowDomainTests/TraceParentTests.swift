import Testing

@testable import LeadflowDomain

@Suite("W3C traceparent")
struct TraceParentTests {
    static let example = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    /// Valid values (the specification's examples and its test suite's cases) and what they read as.
    static let valid: [(value: String, traceID: String, parentID: String, flags: UInt8)] = [
        (example, "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 0x01),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", "4bf92f3577b34da6a3ce929d0e0e4736",
         "00f067aa0ba902b7", 0x00),
        // Flags this version does not define are kept (and propagated) as they are.
        ("00-12345678901234567890123456789012-1234567890123456-ff", "12345678901234567890123456789012",
         "1234567890123456", 0xff),
        // A future version: read as 00 when its first 55 characters parse; the rest is dropped, and only the
        // sampled flag is kept.
        ("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736",
         "00f067aa0ba902b7", 0x01),
        ("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-what-the-future-will-be-like",
         "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 0x01),
        ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02-", "4bf92f3577b34da6a3ce929d0e0e4736",
         "00f067aa0ba902b7", 0x00),
    ]

    @Test("valid values parse into their fields", arguments: valid.indices)
    func parsesValid(index: Int) throws {
        let example = Self.valid[index]
        let trace = try #require(TraceParent(example.value))
        #expect(trace.traceID == example.traceID)
        #expect(trace.parentID == example.parentID)
        #expect(trace.flags == example.flags)
    }

    static let invalid: [(value: String, why: String)] = [
        ("", "empty"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0", "flags too short"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-010", "version 00 longer than 55"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", "version 00 with a suffix"),
        ("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", "trace id too short"),
        ("00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01", "trace id too long"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01", "parent id too short"),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", "all-zero trace id"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "all-zero parent id"),
        ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "version ff"),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "upper-case trace id"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01", "upper-case parent id"),
        ("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "upper-case version"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0G", "flags not hex"),
        ("00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", "trace id not hex"),
        ("0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "version not hex"),
        ("00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01", "wrong separators"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ", "trailing space"),
        (" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "leading space"),
        ("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what-the-future-will-be-like",
         "future version not followed by a dash"),
        ("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "future version shorter than 55"),
        ("00-4bf92f3577b34da6a3ce929d0e0é736-00f067aa0ba902b7-01", "not ASCII"),
    ]

    @Test("invalid values are refused", arguments: invalid.indices)
    func refusesInvalid(index: Int) {
        let example = Self.invalid[index]
        #expect(TraceParent(example.value) == nil, "\(example.why): \(example.value)")
    }

    @Test("formatting writes version 00 with lower-case hex; a future version is written as 00")
    func formats() throws {
        #expect(try #require(TraceParent(Self.example)).description == Self.example)
        let future = try #require(TraceParent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-more"))
        #expect(future.description == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        let parts = try #require(
            TraceParent(
                traceID: [0xab] + [UInt8](repeating: 0, count: 15), parentID: [UInt8](repeating: 0, count: 7) + [0x0f],
                flags: 0))
        #expect(parts.description == "00-ab000000000000000000000000000000-000000000000000f-00")
        #expect(!parts.isSampled)
    }

    @Test("ids of the wrong length or all zero cannot be built")
    func refusesInvalidParts() {
        #expect(TraceParent(traceID: [UInt8](repeating: 1, count: 15), parentID: [1, 1, 1, 1, 1, 1, 1, 1], flags: 1) == nil)
        #expect(TraceParent(traceID: [UInt8](repeating: 1, count: 16), parentID: [1, 1, 1], flags: 1) == nil)
        #expect(TraceParent(traceID: [UInt8](repeating: 0, count: 16), parentID: [1, 1, 1, 1, 1, 1, 1, 1], flags: 1) == nil)
        #expect(TraceParent(traceID: [UInt8](repeating: 1, count: 16), parentID: [0, 0, 0, 0, 0, 0, 0, 0], flags: 1) == nil)
    }

    @Test("a random trace is valid, sampled, and round-trips through its header value")
    func random() throws {
        let traces = (0..<100).map { _ in TraceParent.random() }
        #expect(Set(traces.map(\.traceID)).count == 100)
        for trace in traces {
            #expect(trace.isSampled)
            #expect(trace.traceID.count == 32)
            #expect(TraceParent(trace.description) == trace)
        }
        #expect(!TraceParent.random(sampled: false).isSampled)
    }

    @Test("a child keeps the trace id and flags and gets a new parent id")
    func child() throws {
        let parent = try #require(TraceParent(Self.example))
        let children = (0..<50).map { _ in parent.child() }
        for child in children {
            #expect(child.traceID == parent.traceID)
            #expect(child.flags == parent.flags)
            #expect(child.parentID != parent.parentID)
            #expect(TraceParent(child.description) == child)
        }
        #expect(Set(children.map(\.parentID)).count == 50)
    }
}
