import Crypto
import Foundation

/// What a one-click unsubscribe link (RFC 8058) names: an organization's lead and the channel it opts out of,
/// signed so that nobody can make a link for another lead or channel, or alter one.
///
/// The token is base64url (no padding) of `version (1) · channel (1) · lead id (8, big-endian) · org length
/// (1) · org · HMAC-SHA256 (32)`, version 1; the MAC covers the label `leadflow-unsubscribe` and a zero byte,
/// then every byte before it, under the first of ``UnsubscribeKeys``. It verifies under any of them, compared
/// in constant time. It does not expire (docs/security.md, "One-click unsubscribe").
public struct UnsubscribeToken: Sendable, Hashable {
    /// The channel opted out of; the numbers are `leadflow.v1.Channel`'s.
    public enum Channel: UInt8, Sendable, Hashable, CaseIterable {
        case email = 1
        case sms = 2
    }

    public var org: String
    /// Leadflow's id of the lead (`LeadSnapshot.lead_id`): opaque, unlike an external id, which may be an
    /// address.
    public var leadID: Int64
    public var channel: Channel

    public init(org: String, leadID: Int64, channel: Channel) {
        self.org = org
        self.leadID = leadID
        self.channel = channel
    }

    public static let version: UInt8 = 1
    /// The longest organization id a token carries (its length is one byte).
    public static let maxOrgBytes = 255
    /// The longest token text: a longer one is refused before it is decoded.
    public static let maxLength = Base64URL.encodedLength(of: 11 + maxOrgBytes + macBytes)
    static let macBytes = 32
    static let label = Array("leadflow-unsubscribe".utf8) + [0]

    /// The token text, signed with the first of `keys`. The caller keeps `org` within ``maxOrgBytes`` bytes of
    /// printable ASCII (organization ids are subject tokens, which are).
    public func signed(with keys: UnsubscribeKeys) -> String {
        let payload = self.payload
        return Base64URL.encode(payload + Self.mac(payload, key: keys.keys[0]))
    }

    /// The token `text` names, if one of `keys` signed it; otherwise why not.
    public static func verified(_ text: some StringProtocol, with keys: UnsubscribeKeys) throws(UnsubscribeTokenError)
        -> UnsubscribeToken
    {
        guard text.utf8.count <= maxLength, let bytes = Base64URL.decode(text), bytes.count > 11 + macBytes else {
            throw UnsubscribeTokenError(.malformed)
        }
        guard bytes[0] == version else { throw UnsubscribeTokenError(.unknownVersion) }
        let payload = Array(bytes.dropLast(macBytes))
        let mac = bytes.suffix(macBytes)
        let authentic = keys.keys.reduce(false) { found, key in
            // Every key is tried, found or not, so the time taken does not tell which one matched.
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: label + payload, using: SymmetricKey(data: key)) || found
        }
        guard authentic else { throw UnsubscribeTokenError(.badSignature) }
        // Signed by us, so well-formed unless a key signed something else: checked all the same.
        guard let token = decode(payload) else { throw UnsubscribeTokenError(.malformed) }
        return token
    }

    var payload: [UInt8] {
        var bytes: [UInt8] = [Self.version, channel.rawValue]
        withUnsafeBytes(of: leadID.bigEndian) { bytes += $0 }
        let org = Array(org.utf8.prefix(Self.maxOrgBytes))
        bytes.append(UInt8(org.count))
        return bytes + org
    }

    /// The token a signed payload holds, or nil when its fields are not what ``payload`` writes.
    static func decode(_ payload: [UInt8]) -> UnsubscribeToken? {
        guard payload.count >= 11, let channel = Channel(rawValue: payload[1]) else { return nil }
        let leadID = payload[2..<10].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        let org = payload[11...]
        guard leadID > 0, org.count == Int(payload[10]), !org.isEmpty, org.allSatisfy({ (33...126).contains($0) })
        else { return nil }
        return UnsubscribeToken(org: String(decoding: org, as: UTF8.self), leadID: leadID, channel: channel)
    }

    static func mac(_ payload: [UInt8], key: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: label + payload, using: SymmetricKey(data: key)))
    }
}
