/// Text made safe for HTML, in element content and in quoted attribute values alike: `&`, `<`, `>`, `"` and
/// `'` as character references. Escaped by code point, not by `Character`: a quote followed by a combining mark
/// is one grapheme cluster, yet a browser's tokenizer still reads the quote. One rule for every HTML Leadflow
/// writes: email bodies from templates and the web console's pages.
public enum HTMLText {
    /// `value` escaped.
    public static func escaped(_ value: String) -> String {
        guard value.utf8.contains(where: { "&<>\"'".utf8.contains($0) }) else { return value }
        var result = ""
        result.reserveCapacity(value.utf8.count + 16)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
