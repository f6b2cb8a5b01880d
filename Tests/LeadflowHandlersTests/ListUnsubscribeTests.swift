import Foundation
import LeadflowSecrets
import LeadflowTestKit
import Testing

@testable import LeadflowHandlers

@Suite("One-click unsubscribe fields of the SMTP driver's messages", .timeLimit(.minutes(1)))
struct ListUnsubscribeTests {
    static let keys = try! UnsubscribeKeys([Array(repeating: 3, count: 32)])

    /// The token at the end of `link` after `prefix`, verified.
    static func token(in link: String, after prefix: String) throws -> UnsubscribeToken {
        #expect(link.hasPrefix(prefix), "\(link)")
        return try UnsubscribeToken.verified(link.dropFirst(prefix.count), with: keys)
    }

    @Test("through a real SMTP server: List-Unsubscribe with the signed https link and the mailto, and List-Unsubscribe-Post")
    func fieldsArrive() async throws {
        try await TestSMTPServer.withServer { server in
            var configuration = SMTPEmailDriver.Configuration()
            configuration.url = server.url
            configuration.tls = .none
            configuration.listUnsubscribe = ListUnsubscribe(
                baseURL: "https://links.example.com/lf/", keys: Self.keys, mailto: "unsubscribe@example.com")
            try await withSMTPDriver(configuration) { driver in
                #expect(await driver.deliver(emailDispatch()) == .succeeded(providerMessageID: "Q1"))
            }
            let message = try #require(server.receivedMessages.first)
            #expect(message.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
            let field = try #require(message.header("List-Unsubscribe"))
            // "<https://…>,<mailto:…>" once unfolded: two angle-bracketed URIs (RFC 2369), the https one first.
            let uris = field.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            try #require(uris.count == 2, "\(field)")
            #expect(uris.allSatisfy { $0.hasPrefix("<") && $0.hasSuffix(">") })
            let expected = UnsubscribeToken(org: "acme", leadID: 7, channel: .email)
            #expect(try Self.token(in: String(uris[0].dropFirst().dropLast()), after: "https://links.example.com/lf/unsubscribe/") == expected)
            let mailto = String(uris[1].dropFirst().dropLast())
            #expect(try Self.token(in: mailto, after: "mailto:unsubscribe@example.com?subject=unsubscribe%20") == expected)
            // Every header line within SMTP's limit; the fields sit in the header, before the MIME ones.
            let head = message.text.components(separatedBy: "\r\n\r\n")[0]
            #expect(head.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
            #expect(head.range(of: "List-Unsubscribe:")!.lowerBound < head.range(of: "MIME-Version:")!.lowerBound)
        }
    }

    @Test("unconfigured, or a lead without an id: no such fields")
    func absent() async throws {
        try await TestSMTPServer.withServer { server in
            var configuration = SMTPEmailDriver.Configuration()
            configuration.url = server.url
            configuration.tls = .none
            try await withSMTPDriver(configuration) { driver in
                _ = await driver.deliver(emailDispatch())
            }
            configuration.listUnsubscribe = ListUnsubscribe(baseURL: "https://links.example.com", keys: Self.keys)
            try await withSMTPDriver(configuration) { driver in
                var dispatch = emailDispatch(key: "act-43")
                dispatch.lead.leadID = 0
                _ = await driver.deliver(dispatch)
                _ = await driver.deliver(emailDispatch(key: "act-44"))
            }
            let messages = server.receivedMessages
            try #require(messages.count == 3)
            #expect(messages[0].header("List-Unsubscribe") == nil && messages[0].header("List-Unsubscribe-Post") == nil)
            #expect(messages[1].header("List-Unsubscribe") == nil)
            // The link alone, without a mailto.
            let link = try #require(messages[2].header("List-Unsubscribe"))
            #expect(link.hasPrefix("<https://links.example.com/unsubscribe/") && !link.contains(","), "\(link)")
        }
    }

    @Test(
        "base URLs and mailto addresses that cannot work are refused at start-up",
        arguments: [
            ("", nil, "unsubscribe.base_url"), ("links.example.com", nil, "unsubscribe.base_url"),
            ("http://links.example.com", nil, "unsubscribe.base_url: must be https"),
            ("https://links.example.com/a?b=c", nil, "unsubscribe.base_url"),
            ("https://user:pw@links.example.com", nil, "unsubscribe.base_url"),
            ("https://links.example.com/<script>", nil, "unsubscribe.base_url"),
            ("https://links.example.com", "not-an-address", "unsubscribe.mailto"),
            ("https://links.example.com", "u@example.com?subject=x", "unsubscribe.mailto"),
        ] as [(String, String?, String)])
    func validation(baseURL: String, mailto: String?, setting: String) {
        let links = ListUnsubscribe(baseURL: baseURL, keys: Self.keys, mailto: mailto)
        let error = #expect(throws: HandlerConfigurationError.self) { try links.validate() }
        #expect(error?.description.hasPrefix(setting) == true, "\(String(describing: error))")
    }

    @Test("https, and http on loopback, with or without a path, are accepted")
    func accepted() throws {
        for url in ["https://links.example.com", "https://example.com:8443/leadflow", "http://127.0.0.1:4280", "http://localhost"] {
            try ListUnsubscribe(baseURL: url, keys: Self.keys, mailto: "unsubscribe@example.com").validate()
        }
    }
}
