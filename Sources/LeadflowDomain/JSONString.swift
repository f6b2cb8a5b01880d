/// JSON string content (RFC 8259): `"` and `\` escaped, every control character as an escape, and U+2028 and
/// U+2029 as `\u` escapes too (JavaScript before ES2019 ends a line at them, and receivers do eval-like things).
/// Other text stays UTF-8. One rule for every JSON Leadflow writes by hand: log lines and webhook bodies.
public enum JSONString {
    /// `value` escaped, without the surrounding quotes.
    public static func content(_ value: String) -> String {
        var output = ""
        output.unicodeScalars.reserveCapacity(value.unicodeScalars.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }

    /// `value` escaped and quoted.
    public static func quoted(_ value: String) -> String {
        "\"" + content(value) + "\""
    }
}
