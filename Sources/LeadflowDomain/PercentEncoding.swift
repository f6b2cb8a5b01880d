/// Percent-encoding of UTF-8 bytes (`%2B`), for form values and Message-ID local parts.
public enum PercentEncoding {
    /// `value` with every UTF-8 byte that `keeps` rejects written as `%XX`; distinct inputs stay distinct as
    /// long as `keeps` rejects `%` itself.
    public static func encode(_ value: String, keeping keeps: (UInt8) -> Bool) -> String {
        var encoded = ""
        for byte in value.utf8 {
            if keeps(byte) {
                encoded.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return encoded
    }

    /// RFC 3986 unreserved characters: letters, digits, `-`, `.`, `_`, `~`.
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
