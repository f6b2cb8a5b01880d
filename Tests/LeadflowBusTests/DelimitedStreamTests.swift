import Foundation
import LeadflowProto
import SwiftProtobuf
import Testing

@testable import LeadflowBus

@Suite("Length-delimited streams")
struct DelimitedStreamTests {
    /// Measurements of growing size, so that some sizes take a two-byte varint.
    static func measurements(_ count: Int) -> [Leadflow_V1_Measurement] {
        (0..<count).map { index in
            var measurement = Leadflow_V1_Measurement()
            measurement.component = "scheduler"
            measurement.operation = "claim"
            measurement.kind = .span
            measurement.itemCount = UInt64(index)
            measurement.org = String(repeating: "o", count: index * 3)
            return measurement
        }
    }

    @Test("a batch survives the frames and is protobuf's standard delimited form", arguments: [0, 1, 2, 60])
    func roundTrip(count: Int) throws {
        let sent = Self.measurements(count)
        var stream = DelimitedStream()
        for measurement in sent { try stream.append(measurement) }
        #expect(stream.count == count)
        let envelope = try Envelope(subject: Subject("metrics.scheduler.claim"), stream: stream)
        let received = try Envelope(frames: envelope.frames)
        #expect(received.carriesStream)
        #expect(received.headers[Headers.Name.contentType] == "application/x-protobuf-delimited")
        #expect(try received.decodeAll(Leadflow_V1_Measurement.self) == sent)
        #expect(received.messageCount == count)

        // SwiftProtobuf's own reader of delimited streams reads the same messages.
        let input = InputStream(data: Data(received.payload))
        input.open()
        defer { input.close() }
        var parsed: [Leadflow_V1_Measurement] = []
        for _ in 0..<count { parsed.append(try BinaryDelimited.parse(messageType: Leadflow_V1_Measurement.self, from: input)) }
        #expect(parsed == sent)
    }

    @Test("a single message is read as a batch of one; a stream is not a single message")
    func singleAndStream() throws {
        let one = Self.measurements(3)[2]
        let single = try Envelope(subject: Subject("metrics.scheduler.claim"), message: one)
        #expect(!single.carriesStream)
        #expect(try single.decodeAll(Leadflow_V1_Measurement.self) == [one])
        #expect(single.messageCount == 1)

        var stream = DelimitedStream()
        try stream.append(one)
        let batch = try Envelope(subject: Subject("metrics.scheduler.claim"), stream: stream)
        let error = #expect(throws: EnvelopeError.self) { try batch.decode(Leadflow_V1_Measurement.self) }
        #expect(error == .unsupportedContentType("application/x-protobuf-delimited"))
    }

    @Test(
        "a malformed stream is refused with the byte where it breaks",
        arguments: [
            // A size of 5 with 2 bytes after it.
            ([0x05, 0x08, 0x01], 0),
            // A good empty message, then a varint the payload cuts.
            ([0x00, 0x80], 1),
            // Eleven continuation bytes: no varint.
            ([UInt8](repeating: 0xFF, count: 11) + [0x01], 0),
            // A two-byte size (200) after a complete 1-byte message.
            ([0x01, 0x08, 0xC8, 0x01, 0x08], 2),
        ] as [([UInt8], Int)])
    func malformed(payload: [UInt8], offset: Int) throws {
        var envelope = try Envelope(subject: Subject("metrics.scheduler.claim"), stream: DelimitedStream())
        envelope.payload = payload
        let error = #expect(throws: EnvelopeError.self) { try envelope.decodeAll(Leadflow_V1_Measurement.self) }
        #expect(error == .malformedStream(offset: offset))
        #expect(error?.reason == .invalidPayload)
        #expect(envelope.messageCount == nil)
    }

    @Test("a message that is not the type is refused with its place in the stream")
    func undecodableMessage() throws {
        var stream = DelimitedStream()
        try stream.append(Self.measurements(1)[0])
        // A tag cut in the middle: no protobuf message at all.
        stream.append(encoded: [0xFF, 0xFF, 0xFF])
        let envelope = try Envelope(subject: Subject("metrics.scheduler.claim"), stream: stream)
        let error = #expect(throws: EnvelopeError.self) { try envelope.decodeAll(Leadflow_V1_Measurement.self) }
        guard case .undecodablePayload(let type, let reason) = error else {
            Issue.record("expected undecodablePayload, got \(String(describing: error))")
            return
        }
        #expect(type == "leadflow.v1.Measurement")
        #expect(reason.hasPrefix("message 2 of the stream"))
        #expect(envelope.messageCount == 2)
    }
}
