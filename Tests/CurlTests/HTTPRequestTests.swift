import Testing

@testable import Curl

@Suite("HTTPRequest validation and redaction")
struct HTTPRequestTests {
    @Test(arguments: [
        ["X-Key": "secret\r\nInjected: 1"], ["X-Key": "secret\nInjected: 1"], ["X-Key": "secret\0"],
        ["Bad Name": "v"], ["": "v"], ["X:Y": "v"],
    ] as [HTTPHeaders])
    func rejectsHeadersThatCouldInjectLines(headers: HTTPHeaders) {
        let request = HTTPRequest(url: "http://127.0.0.1/", headers: headers)
        let error = #expect(throws: CurlError.self) { try request.validate() }
        #expect(error?.kind == .invalidRequest)
        #expect(error?.description.contains("secret") == false)
    }

    @Test func rejectsAMethodThatIsNotAToken() {
        let request = HTTPRequest(method: "GET / HTTP/1.1\r\nX:", url: "http://127.0.0.1/")
        #expect(throws: CurlError.self) { try request.validate() }
    }

    @Test func rejectsAHeadRequestWithABody() {
        let request = HTTPRequest(method: .head, url: "http://127.0.0.1/", body: [1])
        #expect(throws: CurlError.self) { try request.validate() }
    }

    @Test func acceptsAnOrdinaryRequest() throws {
        let request = HTTPRequest(
            method: .post, url: "https://api.example.com/v1/messages?x=1",
            headers: ["Content-Type": "application/json", "Idempotency-Key": "a1", "X-Empty": ""],
            body: Array("{}".utf8), basicAuth: .init(user: "u", password: "p"))
        try request.validate()
    }

    @Test func descriptionsHideCredentialsQueriesAndBodies() {
        let request = HTTPRequest(
            method: .post, url: "https://user:hunter2@hooks.example.com/services/T0?token=s3cr3t#frag",
            body: Array("card=4111".utf8), basicAuth: .init(user: "AC123", password: "tw1l1o"))
        let printed = [
            request.description, request.debugDescription, String(describing: request.basicAuth!),
            String(reflecting: request.basicAuth!), { var out = ""; dump(request.basicAuth!, to: &out); return out }(),
        ]
        for text in printed {
            for secret in ["hunter2", "s3cr3t", "4111", "tw1l1o", "frag"] {
                #expect(!text.contains(secret), "\(text) leaks \(secret)")
            }
        }
        #expect(request.description == "POST https://hooks.example.com/services/T0 (0 headers, 9-byte body)")
    }

    @Test func errorMessagesAreScrubbedOfThisRequestsCredentials() {
        let request = HTTPRequest(
            url: "http://bob:pa55@127.0.0.1:1/", basicAuth: .init(user: "AC123", password: "tw1l1o"))
        let scrubbed = request.redacting("Failed for bob:pa55 with tw1l1o")
        #expect(scrubbed == "Failed for <redacted> with <redacted>")
    }
}
