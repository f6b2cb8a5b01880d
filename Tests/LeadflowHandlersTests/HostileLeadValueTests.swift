import Curl
import Foundation
import LeadflowProto
import LeadflowSecrets
import LeadflowTestKit
import Testing

@testable import LeadflowHandlers
@testable import LeadflowPipeline

/// Lead fields come from web forms. These send hostile values through every rendered field to real servers
/// and check what arrives: exactly the escaped forms, JSON that parses to the same fields, no added header.
@Suite("Hostile lead values reach real SMTP and HTTP servers escaped", .timeLimit(.minutes(1)))
struct HostileLeadValueTests {
    /// A value with a short name, so that a failure does not print 64 KiB.
    struct Hostile: Sendable, CustomTestStringConvertible {
        var name: String
        var value: String
        var testDescription: String { name }
    }

    static let values = [
        Hostile(name: "script tag", value: "<script>alert(1)</script>"),
        Hostile(name: "link", value: #"<a href="https://evil.example">verify</a>"#),
        Hostile(name: "JSON breakout", value: #""},"x":1,"y":""#),
        Hostile(name: "CRLF header", value: "Eve\r\nBcc: victim@example.org"),
        Hostile(name: "LF header", value: "Eve\nX-Injected: 1"),
        Hostile(name: "U+2028/U+2029", value: "line\u{2028}sep\u{2029}end"),
        Hostile(name: "controls", value: "tab\there\u{0}\u{1B}"),
        Hostile(name: "64 KiB", value: String(repeating: "Zoë<&>\"'", count: 6_554)),
    ]

    static func dispatch(firstName: String, configure: (inout Leadflow_V1_ActionDispatch) -> Void) -> Leadflow_V1_ActionDispatch {
        var dispatch = makeDispatch(configure: configure)
        dispatch.lead.firstName = firstName
        return dispatch
    }

    @Test("email over SMTP: subject, text and HTML", arguments: values)
    func email(hostile: Hostile) async throws {
        let value = hostile.value
        try await TestSMTPServer.withServer { server in
            var configuration = SMTPEmailDriver.Configuration()
            configuration.url = server.url
            configuration.tls = .none
            try await withSMTPDriver(configuration) { driver in
                let dispatch = Self.dispatch(firstName: value) {
                    $0.actionType = .email
                    $0.email = .with {
                        $0.sender = "Acme <hello@acme.test>"
                        $0.subject = "Welcome {{first_name}}"
                        $0.text = "Hi {{first_name}},\nthanks."
                        $0.html = #"<p title="{{first_name}}">Hi {{first_name}}</p><a href="https://acme.test/?n={{first_name}}">x</a>"#
                    }
                }
                #expect(await driver.deliver(dispatch, trace: nil) == .succeeded(providerMessageID: "Q1"))
                let message = try #require(server.receivedMessages.first)

                // No header was added, whatever the value held.
                #expect(message.headers.map(\.name) == [
                    "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
                ])
                #expect(message.recipients == ["ada@example.org"])
                let subject = try #require(message.header("Subject"))
                #expect(Self.decodedWords(subject) == "Welcome " + TemplateEscaping.oneLine(value))

                let parts = try Self.parts(of: message)
                #expect(parts.count == 2)
                #expect(parts.first?.type == "text/plain; charset=utf-8")
                #expect(parts.first?.content == "Hi \(TemplateEscaping.cleaned(value).replacingOccurrences(of: "\n", with: "\r\n")),\r\nthanks.")
                let escaped = TemplateEscaping.htmlEscaped(TemplateEscaping.cleaned(value))
                let encoded = TemplateEscaping.percentEncoded(value)
                #expect(parts.last?.type == "text/html; charset=utf-8")
                // The message's lines end in CRLF, a value's line feeds included.
                #expect(
                    parts.last?.content
                        == #"<p title="\#(escaped)">Hi \#(escaped)</p><a href="https://acme.test/?n=\#(encoded)">x</a>"#
                        .replacingOccurrences(of: "\n", with: "\r\n"))
                #expect(parts.last?.content.contains("<script") == false)
                #expect(parts.last?.content.contains("<a href=\"https://evil") == false)
            }
        }
    }

    @Test("SMS over a provider API: one line of text", arguments: values)
    func sms(hostile: Hostile) async throws {
        let value = hostile.value
        try await TestHTTPServer.withServer { server in
            server.route("/Messages.json", method: "POST", .init(status: 201, text: #"{"sid":"SM1"}"#))
            try await withCurl { curl in
                var configuration = HTTPSMSDriver.Configuration()
                configuration.endpoint.url = server.baseURL + "/Messages.json"
                configuration.accountID = "AC1"
                configuration.authToken = "token"
                let dispatch = Self.dispatch(firstName: value) {
                    $0.actionType = .sms
                    $0.sms = .with {
                        $0.sender = "+15550199"
                        $0.body = "Hi {{first_name}}, reply STOP to opt out"
                    }
                }
                #expect(await HTTPSMSDriver(configuration: configuration, curl: curl).deliver(dispatch, trace: nil)
                    == .succeeded(providerMessageID: "SM1"))
                let request = try #require(server.recordedRequests.first)
                var components = URLComponents()
                components.percentEncodedQuery = String(decoding: request.body, as: UTF8.self)
                let fields = (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }
                #expect(fields.map(\.0) == ["To", "From", "Body"])
                let body = try #require(fields.last?.1)
                #expect(body == "Hi \(TemplateEscaping.oneLine(value)), reply STOP to opt out")
                #expect(!body.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x2028 || $0.value == 0x2029 })
            }
        }
    }

    @Test("webhook: the JSON body parses to the same fields and the URL keeps its path", arguments: values)
    func webhook(hostile: Hostile) async throws {
        let value = hostile.value
        try await TestHTTPServer.withServer { server in
            server.route("/hooks/lead", method: "POST", .init(status: 204))
            try await withCurl { curl in
                let dispatch = Self.dispatch(firstName: value) {
                    $0.actionType = .webhook
                    $0.webhook = .with {
                        // A 64 KiB value would make a URL no server takes (request lines are capped at 8 KiB).
                        $0.url = server.baseURL + "/hooks/lead?name="
                            + (value.utf8.count < 2048 ? "{{first_name}}" : "") + "&plan={{attributes.plan}}"
                        $0.body = #"{"name": "{{first_name}}", "plan": "{{attributes.plan}}"}"#
                    }
                }
                #expect(await webhookDriver(curl).deliver(dispatch, trace: nil) == .succeeded())
                let request = try #require(server.recordedRequests.first)
                #expect(request.path == "/hooks/lead")
                var components = URLComponents()
                components.percentEncodedQuery = request.query
                #expect(components.queryItems?.map(\.name) == ["name", "plan"])
                #expect(components.queryItems?.first?.value == (value.utf8.count < 2048 ? value : ""))
                let object = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: String])
                #expect(object == ["name": value, "plan": "pro"])
            }
        }
    }

    /// The parts of a multipart/alternative message: content type and decoded content (CRLF line ends kept).
    static func parts(of message: TestSMTPServer.Message) throws -> [(type: String, content: String)] {
        let contentType = try #require(message.header("Content-Type"))
        let boundary = try #require(contentType.components(separatedBy: "boundary=\"").last?.dropLast())
        return message.body.components(separatedBy: "--\(boundary)").dropFirst().compactMap { part in
            guard let end = part.range(of: "\r\n\r\n") else { return nil }
            let header = part[..<end.lowerBound]
            var content = String(part[end.upperBound...])
            if content.hasSuffix("\r\n") { content.removeLast() }
            let type = header.components(separatedBy: "\r\n").first { $0.hasPrefix("Content-Type: ") }?
                .dropFirst("Content-Type: ".count)
            if header.contains("Content-Transfer-Encoding: base64") {
                let data = Data(base64Encoded: content.replacingOccurrences(of: "\r\n", with: "")) ?? Data()
                content = String(decoding: data, as: UTF8.self)
            }
            return type.map { (String($0), content) }
        }
    }

    /// A header value with its RFC 2047 encoded words decoded (the folding white space between words dropped).
    static func decodedWords(_ value: String) -> String {
        guard value.hasPrefix("=?UTF-8?B?") else { return value }
        let words = value.components(separatedBy: "?=").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        return words.map { word in
            String(decoding: Data(base64Encoded: String(word.dropFirst("=?UTF-8?B?".count))) ?? Data(), as: UTF8.self)
        }.joined()
    }
}
