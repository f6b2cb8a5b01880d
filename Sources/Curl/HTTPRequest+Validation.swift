import CCurl

extension HTTPRequest {
    /// Rejects what libcurl would send verbatim and so let a caller-supplied value inject protocol lines.
    func validate() throws(CurlError) {
        guard Self.isToken(method.rawValue) else {
            throw CurlError.invalidRequest("method is not an HTTP token")
        }
        for field in headers {
            guard Self.isToken(field.name) else {
                throw CurlError.invalidRequest("header name '\(Self.printable(field.name))' is not an HTTP token")
            }
            // The value itself is left out of the message: it may be a secret (an API key header).
            guard !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw CurlError.invalidRequest("value of header '\(field.name)' contains CR, LF or NUL")
            }
        }
        // C strings end at NUL: a URL or credential containing one would be silently truncated.
        guard !url.utf8.contains(0) else {
            throw CurlError.invalidRequest("URL contains NUL")
        }
        if let basicAuth, basicAuth.user.utf8.contains(0) || basicAuth.password.utf8.contains(0) {
            throw CurlError.invalidRequest("basic auth credentials contain NUL")
        }
        guard method != .head || body.isEmpty else {
            throw CurlError.invalidRequest("a HEAD request cannot carry a body")
        }
        guard maxResponseBodySize >= 0, maxRedirects >= 0 else {
            throw CurlError.invalidRequest("maxResponseBodySize and maxRedirects cannot be negative")
        }
    }

    // tchar from RFC 9110 §5.6.2.
    private static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "A")...UInt8(ascii: "Z"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    private static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.isWhitespace || $0.value < 0x20 ? "?" : Character($0) })
    }
}
