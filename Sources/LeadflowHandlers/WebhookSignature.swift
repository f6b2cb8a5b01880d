import Crypto
import Foundation

/// The `Leadflow-Signature` header of webhook requests: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
///
/// The timestamp is signed with the body, so a receiver that checks both the MAC and the age of `t` rejects
/// altered bodies and replayed requests alike.
public enum WebhookSignature {
    public static let headerName = "Leadflow-Signature"

    /// The header value for `body` sent at `timestamp` (seconds since 1970).
    public static func header(secret: String, timestamp: Int64, body: [UInt8]) -> String {
        "t=\(timestamp),v1=" + mac(secret: secret, timestamp: timestamp, body: body).map(hexPair).joined()
    }

    /// Whether `header` carries a `v1` MAC of `body` under `secret` (compared in constant time) with a timestamp no
    /// further than `tolerance` from `now`.
    public static func isValid(
        header: String, secret: String, body: [UInt8], now: Date = Date(), tolerance: Duration = .seconds(300)
    ) -> Bool {
        var timestamp: Int64?
        var macs: [[UInt8]] = []
        for field in header.split(separator: ",") {
            let parts = field.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "t" { timestamp = Int64(parts[1]) }
            if parts[0] == "v1", let bytes = bytes(hex: parts[1]) { macs.append(bytes) }
        }
        guard let timestamp, abs(Double(timestamp) - now.timeIntervalSince1970) <= Double(tolerance.components.seconds)
        else { return false }
        let key = SymmetricKey(data: Data(secret.utf8))
        let signed = signedBytes(timestamp: timestamp, body: body)
        return macs.contains { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: signed, using: key) }
    }

    static func mac(secret: String, timestamp: Int64, body: [UInt8]) -> [UInt8] {
        let code = HMAC<SHA256>.authenticationCode(
            for: signedBytes(timestamp: timestamp, body: body), using: SymmetricKey(data: Data(secret.utf8)))
        return Array(code)
    }

    private static func signedBytes(timestamp: Int64, body: [UInt8]) -> [UInt8] {
        Array("\(timestamp).".utf8) + body
    }

    private static func hexPair(_ byte: UInt8) -> String {
        (byte < 16 ? "0" : "") + String(byte, radix: 16)
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        return bytes
    }
}
