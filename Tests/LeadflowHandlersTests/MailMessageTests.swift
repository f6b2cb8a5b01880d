import Foundation
import Testing

@testable import LeadflowHandlers

@Suite("The RFC 5322 message the SMTP driver submits")
struct MailMessageTests {
    static func message(subject: String = "Hello", text: String = "Hi Ada,\nsee you.", html: String? = nil)
        -> MailMessage
    {
        MailMessage(
            from: "Sales <sales@example.com>", to: "ada@example.org", replyTo: "replies@example.com",
            subject: subject, text: text, html: html, messageID: "act-42@leadflow",
            date: Date(timeIntervalSince1970: 1_795_000_000), boundary: "BOUNDARY")
    }

    static func text(_ message: MailMessage) -> String { String(decoding: message.bytes, as: UTF8.self) }

    @Test("a plain-text message: header fields, a blank line, the body, CRLF throughout")
    func plainText() {
        let expected = [
            "From: Sales <sales@example.com>", "To: ada@example.org", "Reply-To: replies@example.com",
            "Subject: Hello", "Date: Wed, 18 Nov 2026 11:06:40 +0000", "Message-ID: <act-42@leadflow>",
            "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit", "",
            "Hi Ada,", "see you.", "",
        ].joined(separator: "\r\n")
        #expect(Self.text(Self.message()) == expected)
    }

    @Test("with HTML: multipart/alternative, the text part first")
    func multipart() {
        let text = Self.text(Self.message(html: "<p>Hi</p>"))
        #expect(text.contains("Content-Type: multipart/alternative; boundary=\"BOUNDARY\"\r\n\r\n--BOUNDARY\r\n"))
        #expect(
            text.hasSuffix(
                "--BOUNDARY\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
                    + "Hi Ada,\r\nsee you.\r\n--BOUNDARY\r\nContent-Type: text/html; charset=utf-8\r\n"
                    + "Content-Transfer-Encoding: 7bit\r\n\r\n<p>Hi</p>\r\n--BOUNDARY--\r\n"))
    }

    @Test("no bare LF or CR reaches the wire")
    func onlyCRLF() {
        let bytes = Self.message(text: "a\nb\r\nc\rd", html: "x\ny").bytes
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            #expect(index > 0 && bytes[index - 1] == 0x0D)
        }
        for (index, byte) in bytes.enumerated() where byte == 0x0D {
            #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A)
        }
    }

    @Test("a UTF-8 subject is RFC 2047 encoded, in words of at most 75 characters that decode back")
    func encodedSubject() throws {
        let subject = "Grüße, Zoë — ваше предложение готово 🎉 and a long tail to force several encoded words"
        let field = MailMessage.unstructuredField(subject)
        let words = field.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded = ""
        for word in words {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let base64 = String(word.dropFirst(10).dropLast(2))
            // Each word holds whole characters, so each decodes on its own.
            decoded += String(decoding: try #require(Data(base64Encoded: base64)), as: UTF8.self)
        }
        #expect(decoded == subject)
    }

    @Test("lead data cannot add header fields: line breaks in values become spaces")
    func headerInjection() {
        let message = Self.message(subject: "Hi\r\nBcc: everyone@example.com\nX-Evil: 1")
        let text = Self.text(message)
        #expect(text.contains("Subject: Hi  Bcc: everyone@example.com X-Evil: 1\r\n"))
        #expect(!text.contains("\r\nBcc:"))
        #expect(!text.contains("\r\nX-Evil:"))
    }

    @Test(
        "address fields: a non-ASCII display name is encoded, the address kept",
        arguments: [
            ("ada@example.org", "ada@example.org"),
            ("Sales <sales@example.com>", "Sales <sales@example.com>"),
            ("Zoë Díaz <zoe@example.com>", "=?UTF-8?B?Wm/DqyBEw61heg==?= <zoe@example.com>"),
            ("\"Zoë\" <zoe@example.com>", "=?UTF-8?B?Wm/Dqw==?= <zoe@example.com>"),
        ])
    func addressField(value: String, expected: String) {
        #expect(MailMessage.addressField(value) == expected)
    }

    @Test(
        "the envelope takes the bare address",
        arguments: [
            ("Sales <sales@example.com>", "sales@example.com"), (" ada@example.org ", "ada@example.org"),
            ("\"A, B\" <ab@example.com>", "ab@example.com"),
        ])
    func bareAddress(value: String, expected: String) {
        #expect(MailMessage.bareAddress(value) == expected)
    }

    @Test("a non-ASCII body is sent base64, in lines of 76, and decodes back")
    func base64Body() throws {
        let body = "Grüße, Zoë!\nZweite Zeile."
        let lines = MailMessage.part(body, subtype: "plain")
        #expect(lines[1] == "Content-Transfer-Encoding: base64")
        let encoded = lines.dropFirst(3)
        #expect(encoded.allSatisfy { $0.count <= 76 })
        let decoded = try #require(Data(base64Encoded: encoded.joined()))
        #expect(String(decoding: decoded, as: UTF8.self) == "Grüße, Zoë!\r\nZweite Zeile.")
    }

    @Test("an ASCII body with a line over 998 bytes is sent base64 too")
    func longLine() {
        #expect(
            MailMessage.part(String(repeating: "x", count: 999), subtype: "plain")[1]
                == "Content-Transfer-Encoding: base64")
        #expect(
            MailMessage.part(String(repeating: "x", count: 998), subtype: "plain")[1]
                == "Content-Transfer-Encoding: 7bit")
    }

    @Test(
        "Message-ID local parts: deterministic, distinct keys stay distinct, always a valid id",
        arguments: [
            ("act-42:3", "act-42%3A3"), ("01J9Z5X", "01J9Z5X"), ("a.b", "a%2Eb"), ("a b@c", "a%20b%40c"),
            ("100%", "100%25"), ("ü", "%C3%BC"),
        ])
    func messageIDLocalPart(key: String, expected: String) {
        #expect(MailMessage.messageIDLocalPart(key) == expected)
    }
}
