import LeadflowProto
import SwiftProtobuf
import Testing
import ZeroMQ

@testable import LeadflowBus

@Suite("Envelope codec")
struct EnvelopeTests {
    func message() -> Google_Protobuf_Struct {
        Google_Protobuf_Struct(fields: [
            "external_id": Google_Protobuf_Value(stringValue: "crm-42"),
            "score": Google_Protobuf_Value(numberValue: 7),
        ])
    }

    func headers() throws -> Headers { try Headers([Headers.Name.msgID: "m-1", "Traceparent": "00-abc-def-01"]) }

    @Test("protobuf round trip through frames", arguments: ContentType.allCases)
    func roundTrip(contentType: ContentType) throws {
        let envelope = try Envelope(
            subject: Subject("lead.upsert.acme"), message: message(), headers: headers(), contentType: contentType)
        let frames = envelope.frames
        #expect(frames.count == 3)
        #expect(frames[0] == Array("lead.upsert.acme".utf8))
        let decoded = try Envelope(frames: frames)
        #expect(decoded == envelope)
        #expect(decoded.msgID == "m-1")
        #expect(try decoded.decode(Google_Protobuf_Struct.self) == message())
        #expect(ContentType(headers: decoded.headers) == contentType)
    }

    @Test("a missing Content-Type means protobuf; parameters are ignored")
    func contentTypeParsing() throws {
        #expect(ContentType(headers: Headers()) == .protobuf)
        #expect(ContentType(headers: try Headers(["content-type": "application/json; charset=utf-8"])) == .json)
        #expect(ContentType(headers: try Headers(["Content-Type": "text/plain"])) == nil)
    }

    /// Received blocks note a Content-Type field while they are validated; the payload's encoding must follow
    /// the field wherever it sits and however it is spelled, and fall back to protobuf once it is removed.
    @Test(
        "the Content-Type of a received block is found in any position and case",
        arguments: [
            ("NATS/1.0\r\nCONTENT-TYPE: application/json\r\n\r\n", ContentType.json),
            ("NATS/1.0\r\nNats-Msg-Id: m-1\r\ncontent-type:application/json\r\n\r\n", .json),
            ("NATS/1.0 503\r\nContent-Type: application/x-protobuf\r\n\r\n", .protobuf),
            ("NATS/1.0\r\nContent-Typo: application/json\r\nContent-Types: application/json\r\n\r\n", .protobuf),
            ("NATS/1.0\r\nNats-Msg-Id: m-1\r\n\r\n", .protobuf),
        ])
    func receivedContentType(block: String, expected: ContentType) throws {
        let envelope = try Envelope(frames: [Array("a.b".utf8), Array(block.utf8), []])
        #expect(ContentType(headers: envelope.headers) == expected)
    }

    @Test("removing or re-setting Content-Type changes how the payload is read")
    func contentTypeEdits() throws {
        var headers = try Headers([Headers.Name.msgID: "m-1", "content-type": "application/json"])
        #expect(ContentType(headers: headers) == .json)
        headers.remove("Content-Type")
        #expect(ContentType(headers: headers) == .protobuf)
        try headers.set("Content-Type", "text/plain")
        #expect(ContentType(headers: headers) == nil)
        try headers.setStatus(503)
        #expect(ContentType(headers: headers) == nil)
        #expect(try HeaderBlock.decode(HeaderBlock.encode(headers)) == headers)
    }

    @Test(
        "every malformed envelope gets its own error and stable reason",
        arguments: [
            ([[UInt8]](), EnvelopeError.wrongFrameCount(0), "Malformed Message"),
            ([Array("a.b".utf8), []], .wrongFrameCount(2), "Malformed Message"),
            ([Array("a.b".utf8), [], [], []], .wrongFrameCount(4), "Malformed Message"),
            ([Array("a.*".utf8), [], []], .invalidSubject(.wildcardInSubject(offset: 2)), "Invalid Subject"),
            ([[], [], []], .invalidSubject(.empty), "Invalid Subject"),
            ([Array("a.b".utf8), Array("NATS/1.0\r\nbroken\r\n\r\n".utf8), []], .malformedHeaders(.missingColon(line: 2)),
             "Malformed Headers"),
        ])
    func malformed(frames: [[UInt8]], expected: EnvelopeError, reason: String) {
        let error = #expect(throws: EnvelopeError.self) { try Envelope(frames: frames) }
        #expect(error == expected)
        #expect(error?.reason.rawValue == reason)
    }

    // Not parameterised: Swift Testing would print the 1 MiB argument into the test log.
    @Test("a payload over 1 MiB is rejected")
    func payloadTooLarge() {
        let frames = [Array("a.b".utf8), [], [UInt8](repeating: 0, count: 1_048_577)]
        let error = #expect(throws: EnvelopeError.self) { try Envelope(frames: frames) }
        #expect(error == .payloadTooLarge(size: 1_048_577, limit: 1_048_576))
        #expect(error?.reason.rawValue == "Payload Too Large")
        #expect(throws: Never.self) { try Envelope(frames: [Array("a.b".utf8), [], [UInt8](repeating: 0, count: 1_048_576)]) }
    }

    @Test("a truncated message is rejected by its real part count")
    func truncatedMultipart() {
        let message = Multipart(frames: [Array("a.b".utf8), [], []], partCount: 40)
        #expect(throws: EnvelopeError.wrongFrameCount(40)) { try Envelope(message) }
    }

    @Test("payload errors: undecodable bytes, bad JSON, unknown content type")
    func payloadErrors() throws {
        let subject = try Subject("lead.upsert.acme")
        let garbage = Envelope(subject: subject, payload: [0xFF, 0xFF, 0xFF])
        let error = #expect(throws: EnvelopeError.self) { try garbage.decode(Google_Protobuf_Struct.self) }
        #expect(error?.reason.rawValue == "Invalid Payload")
        #expect(error?.description.contains("google.protobuf.Struct") == true)

        let badJSON = Envelope(subject: subject, headers: try Headers(["Content-Type": "application/json"]), payload: Array("{".utf8))
        #expect(throws: EnvelopeError.self) { try badJSON.decode(Google_Protobuf_Struct.self) }

        let text = Envelope(subject: subject, headers: try Headers(["Content-Type": "text/csv"]), payload: [])
        #expect(throws: EnvelopeError.unsupportedContentType("text/csv")) { try text.decode(Google_Protobuf_Struct.self) }
        #expect(EnvelopeError.unsupportedContentType("x").reason.rawValue == "Unsupported Content-Type")
    }

    @Test("unknown JSON fields are tolerated, as unknown binary fields are")
    func unknownJSONFields() throws {
        let envelope = Envelope(
            subject: try Subject("a.b"), headers: try Headers(["Content-Type": "application/json"]),
            payload: Array(#"{"externalId": "crm-1", "pipeline": "onboarding", "addedLater": 1}"#.utf8))
        #expect(try envelope.decode(Leadflow_V1_LeadEnroll.self).externalID == "crm-1")
    }

    @Test("acks encode and parse")
    func acks() throws {
        #expect(Ack.ok(msgID: "m1").frames == [Array("+OK".utf8), Array("m1".utf8)])
        #expect(try Ack(frames: Ack.error(msgID: "m2", reason: "Invalid Subject").frames) == .error(msgID: "m2", reason: "Invalid Subject"))
        #expect(throws: AckError.self) { try Ack(frames: [Array("+OK".utf8)]) }
        #expect(throws: AckError.self) { try Ack(frames: [Array("HELLO".utf8), []]) }
    }
}
