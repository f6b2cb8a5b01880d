import Foundation

/// An RFC 5322 email as the SMTP driver submits it: header fields, then a text/plain body, or a
/// multipart/alternative body with a text and an HTML part, all with CRLF line endings.
struct MailMessage: Sendable {
    var from: String
    var to: String
    var replyTo: String?
    var subject: String
    var text: String
    var html: String?
    /// The id without angle brackets, e.g. `act-42@leadflow`: the same for every attempt of the action, so a
    /// receiving system can tell a re-sent message from a new one.
    var messageID: String
    var date: Date
    /// Separates the parts of a multipart body; random, so no body contains it by chance.
    var boundary = "leadflow-" + UUID().uuidString
    /// `List-*` header fields (RFC 2369, RFC 8058: ``ListUnsubscribe``), written as they are after Message-ID.
    var listFields: [String] = []

    /// The message as SMTP DATA (libcurl adds the dot-stuffing).
    var bytes: [UInt8] {
        var header = [
            "From: " + Self.addressField(from),
            "To: " + Self.addressField(to),
        ]
        if let replyTo { header.append("Reply-To: " + Self.addressField(replyTo)) }
        header += [
            "Subject: " + Self.unstructuredField(subject),
            "Date: " + Self.dateField(date),
            "Message-ID: <\(messageID)>",
        ]
        header += listFields
        header += [
            "MIME-Version: 1.0",
        ]
        var lines: [String]
        if let html {
            lines =
                header + [
                    "Content-Type: multipart/alternative; boundary=\"\(boundary)\"", "",
                    "--\(boundary)",
                ]
            lines += Self.part(text, subtype: "plain") + ["--\(boundary)"]
            lines += Self.part(html, subtype: "html") + ["--\(boundary)--"]
        } else {
            lines = header + Self.part(text, subtype: "plain")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// `Content-Type` and `Content-Transfer-Encoding` lines, a blank line and the body: 7bit when the text is
    /// ASCII in lines SMTP accepts (998 bytes), base64 otherwise, since 8BITMIME is not universal.
    static func part(_ text: String, subtype: String) -> [String] {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .components(separatedBy: "\n")
        let fitsSevenBit = text.utf8.allSatisfy { $0 < 0x80 && $0 != 0 } && lines.allSatisfy { $0.utf8.count <= 998 }
        let type = "Content-Type: text/\(subtype); charset=utf-8"
        guard !fitsSevenBit else {
            return [type, "Content-Transfer-Encoding: 7bit", ""] + lines
        }
        let encoded = Data(lines.joined(separator: "\r\n").utf8).base64EncodedString(options: .lineLength76Characters)
        return [type, "Content-Transfer-Encoding: base64", ""] + encoded.components(separatedBy: "\r\n")
    }
}
