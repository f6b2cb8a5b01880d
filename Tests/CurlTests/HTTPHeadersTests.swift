import Testing

@testable import Curl

@Suite("HTTPHeaders and response header parsing")
struct HTTPHeadersTests {
    @Test func lookupIsCaseInsensitiveAndKeepsRepeatsInOrder() {
        var headers: HTTPHeaders = ["Set-Cookie": "a=1", "Content-Type": "text/plain"]
        headers.add("set-cookie", "b=2")
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["SET-COOKIE"] == "a=1")
        #expect(headers.values(for: "Set-Cookie") == ["a=1", "b=2"])
        #expect(headers.map(\.name) == ["Set-Cookie", "Content-Type", "set-cookie"])
    }

    @Test func settingReplacesEveryFieldOfThatName() {
        var headers: HTTPHeaders = ["A": "1", "B": "2", "a": "3"]
        headers["A"] = "4"
        #expect(headers.map(\.description) == ["B: 2", "A: 4"])
        headers["b"] = nil
        #expect(headers.map(\.description) == ["A: 4"])
    }

    @Test func namesDifferingOnlyOutsideLettersDoNotMatch() {
        // The ASCII case fold must only fold letters: '@' (0x40) and '`' (0x60) differ by the same bit.
        let headers: HTTPHeaders = ["X-@": "1"]
        #expect(headers["x-`"] == nil)
        #expect(headers["X-@"] == "1")
    }

    @Test func transferKeepsOnlyTheFinalResponsesHeaders() {
        let transfer = CurlTransfer(maxBodySize: 100, shouldAbort: nil)
        for line in [
            "HTTP/1.1 100 Continue\r\n", "\r\n",
            "HTTP/1.1 200 OK\r\n", "X-Long: first\r\n", " \tsecond\r\n", "Set-Cookie: a=1\r\n",
            "set-cookie:b=2\r\n", "no colon here\r\n", "Empty:\r\n", "\r\n",
        ] {
            #expect(Array(line.utf8).withUnsafeBytes(transfer.receiveHeaderLine))
        }
        #expect(
            transfer.headers.map(\.description) == [
                "X-Long: first second", "Set-Cookie: a=1", "set-cookie: b=2", "Empty: ",
            ])
    }

    @Test func transferRefusesABodyBeyondItsLimit() {
        let transfer = CurlTransfer(maxBodySize: 10, shouldAbort: nil)
        #expect([UInt8](repeating: 1, count: 6).withUnsafeBytes(transfer.receiveBody))
        #expect([UInt8](repeating: 2, count: 4).withUnsafeBytes(transfer.receiveBody))
        #expect(![UInt8](repeating: 3, count: 1).withUnsafeBytes(transfer.receiveBody))
        #expect(transfer.stop == .bodyTooLarge)
        #expect(transfer.takeBody().count == 10)
    }

    @Test func transferRefusesAnEndlessHeaderBlock() {
        let transfer = CurlTransfer(maxBodySize: 10, shouldAbort: nil)
        let line = Array("X-Filler: \(String(repeating: "x", count: 1000))\r\n".utf8)
        var accepted = 0
        for _ in 0..<1000 {
            guard line.withUnsafeBytes(transfer.receiveHeaderLine) else { break }
            accepted += 1
        }
        #expect(accepted == CurlTransfer.maxHeaderBytes / line.count)
        #expect(transfer.stop == .headersTooLarge)
    }
}
