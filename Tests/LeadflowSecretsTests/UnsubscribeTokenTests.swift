import Crypto
import Foundation
import LeadflowSecrets
import Testing

@Suite("One-click unsubscribe tokens and their keys")
struct UnsubscribeTokenTests {
    static let current = Array(repeating: UInt8(7), count: 32)
    static let retired = Array(0..<UInt8(32))
    static let keys = try! UnsubscribeKeys([current, retired])
    static let token = UnsubscribeToken(org: "acme", leadID: 4_242, channel: .email)

    @Test("a signed token verifies and names its organization, lead and channel; it is base64url")
    func roundTrip() throws {
        for token in [Self.token, UnsubscribeToken(org: String(repeating: "~", count: 255), leadID: .max, channel: .sms)] {
            let text = token.signed(with: Self.keys)
            #expect(text.utf8.allSatisfy(Base64URL.isAlphabet), "\(text)")
            #expect(text.utf8.count <= UnsubscribeToken.maxLength)
            #expect(try UnsubscribeToken.verified(text, with: Self.keys) == token)
        }
        // Deterministic: the same lead and channel always get the same link.
        #expect(Self.token.signed(with: Self.keys) == Self.token.signed(with: Self.keys))
    }

    @Test("changing any one character of a token makes it refused")
    func everyAlterationRefused() throws {
        let text = Array(Self.token.signed(with: Self.keys))
        for index in text.indices {
            var altered = text
            altered[index] = altered[index] == "A" ? "B" : "A"
            #expect(throws: UnsubscribeTokenError.self, "character \(index)") {
                try UnsubscribeToken.verified(String(altered), with: Self.keys)
            }
        }
    }

    @Test("a token for another lead, organization or channel signed with another key is refused as forged")
    func forgedRefused() throws {
        let forger = try UnsubscribeKeys([Array(repeating: 9, count: 32)])
        for token in [
            Self.token, UnsubscribeToken(org: "acme", leadID: 4_243, channel: .email),
            UnsubscribeToken(org: "globex", leadID: 4_242, channel: .email),
            UnsubscribeToken(org: "acme", leadID: 4_242, channel: .sms),
        ] {
            let error = try #require(throws: UnsubscribeTokenError.self) {
                try UnsubscribeToken.verified(token.signed(with: forger), with: Self.keys)
            }
            #expect(error.reason == .badSignature)
        }
    }

    @Test("rotation: a token signed with a key further down the file still verifies; once removed it does not")
    func rotation() throws {
        let old = try UnsubscribeKeys([Self.retired])
        let text = Self.token.signed(with: old)
        #expect(try UnsubscribeToken.verified(text, with: Self.keys) == Self.token)
        // The first key signs.
        #expect(Self.token.signed(with: Self.keys) == Self.token.signed(with: try UnsubscribeKeys([Self.current])))
        #expect(throws: UnsubscribeTokenError(.badSignature)) {
            try UnsubscribeToken.verified(text, with: try UnsubscribeKeys([Self.current]))
        }
    }

    @Test(
        "hostile texts are refused before any MAC is computed over them",
        arguments: [
            ("", UnsubscribeTokenError.Reason.malformed), ("a", .malformed), ("not base64!", .malformed),
            ("AAAA", .malformed), (String(repeating: "A", count: 4_000), .malformed),
            ("AgAAAAAAAAABBGFjbWU" + String(repeating: "A", count: 43), .unknownVersion),
        ])
    func hostile(text: String, reason: UnsubscribeTokenError.Reason) {
        #expect(throws: UnsubscribeTokenError(reason)) { try UnsubscribeToken.verified(text, with: Self.keys) }
    }

    @Test("a correctly signed payload that is not a token's (lead 0, a length that lies) is refused")
    func signedGarbage() throws {
        func sign(_ payload: [UInt8]) -> String {
            // What UnsubscribeToken signs: the label, a zero byte, the payload.
            let mac = HMAC<SHA256>.authenticationCode(
                for: Array("leadflow-unsubscribe".utf8) + [0] + payload, using: SymmetricKey(data: Self.current))
            return Base64URL.encode(payload + mac)
        }
        let leadZero: [UInt8] = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 4] + Array("acme".utf8)
        let lyingLength: [UInt8] = [1, 1, 0, 0, 0, 0, 0, 0, 0, 7, 9] + Array("acme".utf8)
        let unknownChannel: [UInt8] = [1, 3, 0, 0, 0, 0, 0, 0, 0, 7, 4] + Array("acme".utf8)
        for payload in [leadZero, lyingLength, unknownChannel] {
            #expect(throws: UnsubscribeTokenError(.malformed)) {
                try UnsubscribeToken.verified(sign(payload), with: try UnsubscribeKeys([Self.current]))
            }
        }
        // The same construction with sane fields verifies: the refusals above are about the fields.
        let sane: [UInt8] = [1, 1, 0, 0, 0, 0, 0, 0, 0, 7, 4] + Array("acme".utf8)
        #expect(
            try UnsubscribeToken.verified(sign(sane), with: try UnsubscribeKeys([Self.current]))
                == UnsubscribeToken(org: "acme", leadID: 7, channel: .email))
    }

    @Test("key files: comments and blank lines skipped, base64 or base64url, errors name the line and never the key")
    func keyFiles() throws {
        let standard = Data(Self.current).base64EncodedString()
        let url = Base64URL.encode(Self.retired)
        let keys = try UnsubscribeKeys.parse("# signing key first\n\n\(standard)\r\n  \(url)\n", path: "k")
        #expect(keys.count == 2)
        #expect(Self.token.signed(with: keys) == Self.token.signed(with: Self.keys))

        let short = Data(repeating: 1, count: 16).base64EncodedString()
        let error = try #require(throws: UnsubscribeKeyError.self) {
            try UnsubscribeKeys.parse("\(standard)\n\(short)\n", path: "/etc/leadflow/unsubscribe.key")
        }
        #expect(error.description == "/etc/leadflow/unsubscribe.key:2: a key of 16 bytes; a key needs at least 32")
        let garbage = try #require(throws: UnsubscribeKeyError.self) {
            try UnsubscribeKeys.parse("# x\nsecret!word\n", path: "k")
        }
        #expect(garbage.description == "k:2: not a base64 key" && !garbage.description.contains("secret"))
        #expect(throws: UnsubscribeKeyError.self) { try UnsubscribeKeys.parse("# nothing\n", path: "k") }
        #expect(throws: UnsubscribeKeyError.self) { try UnsubscribeKeys.read(file: "/nonexistent/unsubscribe.key") }
    }

    @Test("keys print, dump and reflect as their number only")
    func keysRedact() {
        var dump = ""
        Swift.dump(Self.keys, to: &dump)
        let encoded = [Data(Self.current).base64EncodedString(), Base64URL.encode(Self.current), "7, 7, 7"]
        for text in ["\(Self.keys)", String(reflecting: Self.keys), dump] {
            #expect(encoded.allSatisfy { !text.contains($0) }, "\(text)")
        }
        #expect("\(Self.keys)" == "<2 unsubscribe keys>")
    }
}
