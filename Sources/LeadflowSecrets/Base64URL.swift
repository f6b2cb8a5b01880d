import Foundation

/// base64url without padding (RFC 4648 §5): the alphabet of tokens that travel in URLs — admin tokens, one-click
/// unsubscribe tokens — where `+`, `/` and `=` would need escaping.
public enum Base64URL {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of `text`, or nil when it is not what ``encode(_:)`` writes for them: a character outside the
    /// alphabet, padding, a length no encoding gives, or unused low bits that are not zero — so each byte
    /// string has exactly one text, and a token altered in its last character is not the same token.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        guard text.utf8.allSatisfy(isAlphabet), text.utf8.count % 4 != 1 else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        guard let bytes = Data(base64Encoded: standard).map(Array.init), encode(bytes) == String(text) else {
            return nil
        }
        return bytes
    }

    /// The characters `count` bytes encode to.
    public static func encodedLength(of count: Int) -> Int {
        (count * 4 + 2) / 3
    }

    /// Whether `byte` is one of the 64 characters of the alphabet.
    public static func isAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}
