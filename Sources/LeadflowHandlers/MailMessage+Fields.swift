import Foundation
import LeadflowDomain
import LeadflowPipeline

// Header field values come from templates and so from lead data: a line break in one would add header fields
// (or end the header and start the body), so every value is flattened to one line before it is written.

extension MailMessage {
    /// Free text (a subject): as it is when it is printable ASCII of a sane length, otherwise RFC 2047 encoded
    /// words, folded onto continuation lines.
    static func unstructuredField(_ value: String) -> String {
        let value = oneLine(value)
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) && value.utf8.count <= 900 {
            return value
        }
        return encodedWords(value).joined(separator: "\r\n ")
    }

    /// An address (`ada@example.org` or `Ada Lovelace <ada@example.org>`): a display name that is not ASCII is
    /// written as encoded words; the address itself must be ASCII anyway.
    static func addressField(_ value: String) -> String {
        let value = oneLine(value)
        guard !value.utf8.allSatisfy({ $0 < 0x80 }), let open = value.lastIndex(of: "<") else { return value }
        let name = value[..<open].trimmingCharacters(in: .whitespaces)
            .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard !name.isEmpty else { return value }
        return encodedWords(name).joined(separator: " ") + " " + value[open...]
    }

    /// The bare address of `Name <address>`, or the value itself when it has no angle brackets, for the envelope.
    static func bareAddress(_ value: String) -> String {
        guard let open = value.lastIndex(of: "<"), let close = value[open...].firstIndex(of: ">") else {
            return value.trimmingCharacters(in: .whitespaces)
        }
        return String(value[value.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
    }

    /// `=?UTF-8?B?…?=` words of at most 75 characters (RFC 2047 §2), each holding whole characters.
    static func encodedWords(_ text: String) -> [String] {
        // 45 bytes make 60 base64 characters, which with `=?UTF-8?B?` and `?=` makes 72.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(character.utf8)
            if chunk.count + bytes.count > 45 && !chunk.isEmpty {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// An RFC 5322 date in UTC, e.g. `Mon, 23 Nov 2026 13:11:11 +0000`, without locale-dependent formatting.
    static func dateField(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }

    /// `value` with line breaks (U+2028 and U+2029 too) and other control characters turned into spaces, by the
    /// rule templates render one-line fields with.
    static func oneLine(_ value: String) -> String {
        TemplateEscaping.singleLine.apply(value)
    }

    /// The id part of a Message-ID for `key`: atext characters kept, anything else percent-encoded, so that
    /// different keys never give the same id and the result is a valid `dot-atom-text` without dots.
    static func messageIDLocalPart(_ key: String) -> String {
        PercentEncoding.encode(key) { byte in
            PercentEncoding.isUnreserved(byte) && byte != UInt8(ascii: ".") || "!#$&'*+/=?^`{|}".utf8.contains(byte)
        }
    }
}
