import LeadflowDomain

/// How one value is written into its place in a template; the context analysis picks it per placeholder, and
/// other writers of untrusted text (mail header fields) use the same rules.
public enum TemplateEscaping: Sendable, Hashable {
    /// Control characters other than tab and line feed removed.
    case plainText
    /// Line breaks and control characters turned into spaces.
    case singleLine
    /// `& < > " '` as character references, after the plain-text cleaning.
    case html
    /// Every byte but RFC 3986's unreserved characters as `%XX` (then nothing is left for HTML to escape).
    case percent
    /// As `percent`, in a URL's path, query or fragment: a value of dots only renders empty.
    case urlPart
    /// JSON string content (`JSONString`).
    case json

    /// `value` escaped this way.
    public func apply(_ value: String) -> String {
        switch self {
        case .plainText: return Self.cleaned(value)
        case .singleLine: return Self.oneLine(value)
        case .html: return Self.htmlEscaped(Self.cleaned(value))
        case .percent: return Self.percentEncoded(value)
        case .urlPart:
            // `.` and `..` are unreserved, so they survive percent-encoding, and a client or server would then
            // read them as dot segments that leave the path the template wrote.
            return value.allSatisfy { $0 == "." } ? "" : Self.percentEncoded(value)
        case .json: return Self.jsonEscaped(value)
        }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    static func cleaned(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { isControl($0) && $0 != "\t" && $0 != "\n" }) else { return value }
        var result = String.UnicodeScalarView()
        // A CR LF pair keeps its LF; any other control character goes.
        for scalar in value.unicodeScalars where !isControl(scalar) || scalar == "\t" || scalar == "\n" {
            result.append(scalar)
        }
        return String(result)
    }

    static func oneLine(_ value: String) -> String {
        func breaks(_ scalar: Unicode.Scalar) -> Bool {
            isControl(scalar) || scalar.value == 0x2028 || scalar.value == 0x2029
        }
        guard value.unicodeScalars.contains(where: breaks) else { return value }
        return String(String.UnicodeScalarView(value.unicodeScalars.map { breaks($0) ? " " : $0 }))
    }

    static func htmlEscaped(_ value: String) -> String { HTMLText.escaped(value) }

    static func percentEncoded(_ value: String) -> String {
        PercentEncoding.encode(value, keeping: PercentEncoding.isUnreserved)
    }

    static func jsonEscaped(_ value: String) -> String {
        JSONString.content(value)
    }
}
