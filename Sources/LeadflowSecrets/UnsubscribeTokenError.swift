/// Why an unsubscribe token was refused. The text never quotes the token.
public struct UnsubscribeTokenError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// Not base64url, too short or too long, or its fields are not a token's.
        case malformed
        /// A version this program does not make.
        case unknownVersion = "unknown_version"
        /// No key verifies it: altered, forged, or signed with a key since removed.
        case badSignature = "bad_signature"
    }

    public let reason: Reason

    public init(_ reason: Reason) {
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .malformed: "not an unsubscribe token"
        case .unknownVersion: "an unsubscribe token of an unknown version"
        case .badSignature: "an unsubscribe token no key of this deployment signed (altered, forged, or its key was retired)"
        }
    }
}
