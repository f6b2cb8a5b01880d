@_spi(Fuzzing) import Curl
import Foundation
import LeadflowHandlers

/// What an HTTP API or an SMTP server answers a handler: as untrusted as anything on the bus.
extension FuzzTarget {
    static let retryAfter = FuzzTarget(name: "retry-after", summary: "RetryAfter(headerValue:), delay(from:)") { input in
        guard let retryAfter = RetryAfter(headerValue: String(decoding: input, as: UTF8.self)) else { return }
        precondition(retryAfter.delay(from: fixedNow) >= .zero, "Retry-After gave a negative delay")
    }

    /// Raw response header lines (split after each line feed, as libcurl hands them over), then classification.
    static let httpResponse = FuzzTarget(name: "http-response", summary: "HTTP header lines, retryAfter, classify") { input in
        let lines = linesAsDelivered(input)
        guard let headers = ServerTextReplay.httpHeaders(lines: lines) else { return }
        // libcurl reports the status; the harness reads it from the first line so that the mutator can reach
        // every class.
        let status = lines.first.flatMap { statusCode(in: $0) } ?? 0
        let response = HTTPResponse(status: status, headers: headers)
        _ = OutcomeClassifier.classify(response, to: request, now: fixedNow)
    }

    /// Raw SMTP reply lines, then the classification of the last reply, which reads the queue id of a 2xx.
    static let smtpReply = FuzzTarget(name: "smtp-reply", summary: "SMTP reply lines, classify, queueID") { input in
        let lines = linesAsDelivered(input)
        guard let replies = ServerTextReplay.smtpReplies(lines: lines) else { return }
        let code = lines.last.flatMap { statusCode(in: $0, at: 0) } ?? 250
        let reply = SMTPResponse(code: code, text: replies[code] ?? String(decoding: input, as: UTF8.self))
        _ = OutcomeClassifier.classify(reply, server: "smtp://fuzz.invalid")
    }

    private static let fixedNow = Date(timeIntervalSince1970: 1_796_000_000)
    private static let request = HTTPRequest(method: .post, url: "https://fuzz.invalid/hook")

    private static func linesAsDelivered(_ input: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        for (index, byte) in input.enumerated() where byte == 0x0A {
            lines.append(Array(input[start...index]))
            start = index + 1
        }
        if start < input.count { lines.append(Array(input[start...])) }
        return lines
    }

    /// Three digits at `offset` (after `HTTP/x.y ` by default), as a status code.
    private static func statusCode(in line: [UInt8], at offset: Int? = nil) -> Int? {
        let start = offset ?? (line.firstIndex(of: 0x20).map { $0 + 1 } ?? line.count)
        guard line.count >= start + 3 else { return nil }
        return Int(String(decoding: line[start..<start + 3], as: UTF8.self))
    }
}
