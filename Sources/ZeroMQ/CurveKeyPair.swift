import CZeroMQ
import LeadflowSecrets

/// A CURVE key pair in Z85 text form, as `zmq_curve_keypair` makes it.
public struct CurveKeyPair: Sendable, Equatable, CustomStringConvertible {
    public let publicKey: String
    /// Never prints: a `Secret`.
    public let secretKey: Secret

    public init(publicKey: String, secretKey: Secret) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The pair of a secret key, its public half derived with `zmq_curve_public`.
    public init(secretKey: Secret) throws(ZMQError) {
        self.init(publicKey: try Self.publicKey(forSecretKey: secretKey.revealed), secretKey: secretKey)
    }

    /// Generates a fresh key pair; fails when libzmq was built without CURVE.
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        _ = try ZMQError.check("zmq_curve_keypair") { zmq_curve_keypair(&publicKey, &secretKey) }
        return CurveKeyPair(publicKey: Self.text(publicKey), secretKey: Secret(Self.text(secretKey)))
    }

    /// The public key of `secretKey`; fails (without naming the key) when it is not a Z85 CURVE key.
    public static func publicKey(forSecretKey secretKey: String) throws(ZMQError) -> String {
        guard isValidKey(secretKey) else {
            throw ZMQError(operation: "zmq_curve_public", code: EINVAL, context: "secret key is not 40 Z85 characters")
        }
        var publicKey = [CChar](repeating: 0, count: 41)
        _ = try ZMQError.check("zmq_curve_public") { zmq_curve_public(&publicKey, secretKey) }
        return text(publicKey)
    }

    /// Whether `key` is a CURVE key in Z85 text form: 40 characters of the Z85 alphabet.
    public static func isValidKey(_ key: String) -> Bool {
        guard key.utf8.count == 40 else { return false }
        var decoded = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&decoded, key) != nil
    }

    /// The Z85 text of a 32-byte binary key, as a ZAP request carries it.
    public static func z85(_ binaryKey: [UInt8]) -> String? {
        guard binaryKey.count == 32 else { return nil }
        var text = [CChar](repeating: 0, count: 41)
        guard zmq_z85_encode(&text, binaryKey, 32) != nil else { return nil }
        return Self.text(text)
    }

    /// The secret key never prints.
    public var description: String { "CurveKeyPair(public: \(publicKey), secret: <redacted>)" }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
