import Testing

@testable import LeadflowFuzz

/// The frame encoding docs/fuzzing.md documents, which the seed corpora are written in.
@Suite("Fuzz input frames")
struct FuzzFramesTests {
    @Test("the documented three-frame example splits into subject, header block and payload")
    func documentedExample() {
        let headers = Array("NATS/1.0\r\nNats-Msg-Id: m-1\r\n\r\n".utf8)
        let payload = [UInt8](repeating: 7, count: 0x2A)
        let input = [0x00, 0x10] + Array("lead.upsert.acme".utf8) + [0x00, 0x1E] + headers + [0x00, 0x2A] + payload
        #expect(FuzzFrames.split(input) == [Array("lead.upsert.acme".utf8), headers, payload])
        #expect(FuzzFrames.join([Array("lead.upsert.acme".utf8), headers, payload]) == input)
    }

    @Test("a length past the end takes what is left; a lone trailing byte is a frame of its own")
    func truncated() {
        #expect(FuzzFrames.split([0x00, 0x05, 1, 2]) == [[1, 2]])
        #expect(FuzzFrames.split([0x00, 0x01, 1, 9]) == [[1], [9]])
        #expect(FuzzFrames.split([0x00, 0x00]) == [[]])
        #expect(FuzzFrames.split([]) == [])
    }
}
