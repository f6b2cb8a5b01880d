import Crypto
import Foundation
import LeadflowSecrets

/// The secret of an admin API token: `lfa_` and 32 random bytes in base64url (43 characters). Made here,
/// shown once, stored only as its SHA-256 (docs/admin-api.md, "Tokens").
public enum AdminTokenSecret {
    /// Every token starts with it, so a leaked one is recognisable (secret scanners, logs).
    public static let prefix = "lfa_"
    /// Random bytes per token: 256 bits, beyond any guessing.
    public static let randomBytes = 32
    /// Characters after the prefix.
    public static let encodedLength = 43

    /// A new token from the system's cryptographic random source (`prefix` other than ``prefix``: another kind
    /// of secret of the same shape, such as the console's session secrets).
    public static func generate(prefix: String = prefix) -> Secret {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<randomBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Secret(prefix + Base64URL.encode(bytes))
    }

    /// The SHA-256 of a token as 64 lowercase hex digits: what `admin_tokens.token_hash` holds. A fast hash is
    /// enough: a slow one (bcrypt, Argon2) protects secrets people choose, which an attacker can enumerate; 256
    /// random bits cannot be enumerated, and a fast hash keeps the lookup per request cheap.
    public static func hash(_ token: Secret) -> String {
        SHA256.hash(data: Data(token.revealed.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Whether `text` has the shape of a token: the prefix and 43 base64url characters. A request whose token
    /// does not is refused without a database lookup.
    public static func isWellFormed(_ text: String, prefix: String = prefix) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let rest = text.utf8.dropFirst(prefix.utf8.count)
        return rest.count == encodedLength && rest.allSatisfy(Base64URL.isAlphabet)
    }
}
