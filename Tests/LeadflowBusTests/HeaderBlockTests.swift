import Testing

@testable import LeadflowBus

@Suite("NATS/1.0 header block")
struct HeaderBlockTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("round trip keeps order, case and repeated names")
    func roundTrip() throws {
        var headers = Headers()
        try headers.append("Nats-Msg-Id", "abc-123")
        try headers.append("X-Tag", "one")
        try headers.append("x-tag", "two")
        try headers.append("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        let encoded = HeaderBlock.encode(headers)
        #expect(
            encoded
                == bytes(
                    "NATS/1.0\r\nNats-Msg-Id: abc-123\r\nX-Tag: one\r\nx-tag: two\r\n"
                        + "Traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n\r\n"))
        let decoded = try HeaderBlock.decode(encoded)
        #expect(decoded == headers)
        #expect(decoded["nats-msg-id"] == "abc-123")
        #expect(decoded.values(for: "X-TAG") == ["one", "two"])
        #expect(decoded.fields.map(\.name) == ["Nats-Msg-Id", "X-Tag", "x-tag", "Traceparent"])
    }

    @Test("empty headers are an empty frame, and an empty frame is empty headers")
    func emptyFrame() throws {
        #expect(HeaderBlock.encode(Headers()).isEmpty)
        #expect(try HeaderBlock.decode([]).isEmpty)
    }

    @Test(
        "inline status line",
        arguments: [
            ("NATS/1.0 503\r\n\r\n", 503, nil as String?, 0),
            ("NATS/1.0 408 Request Timeout\r\n\r\n", 408, "Request Timeout", 0),
            ("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 7\r\n\r\n", 100, "Idle Heartbeat", 1),
        ])
    func statusLine(text: String, code: Int, description: String?, fieldCount: Int) throws {
        let headers = try HeaderBlock.decode(bytes(text))
        #expect(headers.status == code)
        #expect(headers.statusDescription == description)
        #expect(headers.fields.count == fieldCount)
        #expect(HeaderBlock.encode(headers) == bytes(text))
    }

    @Test("values are trimmed and may be empty or UTF-8")
    func valueForms() throws {
        let headers = try HeaderBlock.decode(bytes("NATS/1.0\r\nA:   spaced  \r\nB:\r\nC: naïve\r\n\r\n"))
        #expect(headers["A"] == "spaced")
        #expect(headers["B"] == "")
        #expect(headers["C"] == "naïve")
    }

    @Test(
        "every malformed block gets its own error",
        arguments: [
            ("HTTP/1.1\r\n\r\n", HeaderBlockError.badVersionLine),
            ("NATS/2.0\r\n\r\n", .badVersionLine),
            ("NATS/1.0X\r\n\r\n", .badVersionLine),
            ("NATS/1.0 50\r\n\r\n", .invalidStatus(line: 1)),
            ("NATS/1.0 5000\r\n\r\n", .invalidStatus(line: 1)),
            ("NATS/1.0 abc\r\n\r\n", .invalidStatus(line: 1)),
            ("NATS/1.0", .unterminated(line: 1)),
            ("NATS/1.0\n\n", .unterminated(line: 1)),
            ("NATS/1.0\r\nA: b\r\n", .unterminated(line: 3)),
            ("NATS/1.0\r\nA: b\nC: d\r\n\r\n", .unterminated(line: 2)),
            ("NATS/1.0\r\nno colon here\r\n\r\n", .missingColon(line: 2)),
            ("NATS/1.0\r\n: empty name\r\n\r\n", .invalidName(line: 2)),
            ("NATS/1.0\r\nBad Name: x\r\n\r\n", .invalidName(line: 2)),
            ("NATS/1.0\r\nA: b\u{7}c\r\n\r\n", .invalidValue(line: 2)),
            ("NATS/1.0\r\nA: b\r\n\r\nextra", .trailingBytes(offset: 18)),
        ])
    func malformed(text: String, expected: HeaderBlockError) {
        #expect(throws: expected) { try HeaderBlock.decode(Array(text.utf8)) }
    }

    @Test("invalid UTF-8 in a value is rejected")
    func invalidUTF8() {
        let block = bytes("NATS/1.0\r\nA: ") + [0xC3, 0x28] + bytes("\r\n\r\n")
        #expect(throws: HeaderBlockError.invalidValue(line: 2)) { try HeaderBlock.decode(block) }
    }

    @Test("a block over the limit is rejected before parsing")
    func tooLarge() {
        let block = bytes("NATS/1.0\r\nA: \(String(repeating: "x", count: 100))\r\n\r\n")
        #expect(throws: HeaderBlockError.tooLarge(size: block.count, limit: 64)) { try HeaderBlock.decode(block, limit: 64) }
    }

    @Test("headers built in code are validated")
    func builtHeadersValidated() throws {
        var headers = Headers()
        #expect(throws: HeaderBlockError.invalidName(line: 0)) { try headers.append("Bad:Name", "x") }
        #expect(throws: HeaderBlockError.invalidValue(line: 0)) { try headers.append("Name", "line\r\nbreak") }
        #expect(throws: HeaderBlockError.invalidStatus(line: 1)) { try headers.setStatus(42) }
        try headers.set("A", "1")
        try headers.set("a", "2")
        #expect(headers.values(for: "A") == ["2"])
        #expect(HeaderBlockError.invalidName(line: 0).description == "header name must be printable ASCII without ':'")
        #expect(HeaderBlockError.missingColon(line: 3).description == "line 3: header field has no ':'")
    }
}
