import Curl
import Foundation
import LeadflowTestKit
import Testing

@Suite("CurlEasy against a real HTTP server", .timeLimit(.minutes(1)))
struct CurlEasyTests {
    @Test(arguments: [200, 201, 204, 404, 429, 500])
    func statusCodeAndBodyArrive(status: Int) async throws {
        try await TestHTTPServer.withServer { server in
            let body = status == 204 ? "" : "answer \(status)"
            server.route("/status", .init(status: status, text: body))
            let response = try await perform(HTTPRequest(url: server.baseURL + "/status"))
            #expect(response.status == status)
            #expect(response.body == Array(body.utf8))
            #expect(response.totalTime > .zero)
        }
    }

    /// A request body named for the test log, which would otherwise print every byte.
    struct SampleBody: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var bytes: [UInt8]
    }

    @Test(arguments: [
        SampleBody(testDescription: "JSON", bytes: Array(#"{"lead":"Zoë","org":42}"#.utf8)),
        // NUL and CRLF inside a body must survive: it is sized, not a C string.
        SampleBody(testDescription: "binary", bytes: [0, 1, 0, 255, 13, 10]),
        // Over 1 MiB, where libcurl would otherwise send "Expect: 100-continue" and wait for an answer.
        SampleBody(testDescription: "1.5 MB", bytes: [UInt8](repeating: 7, count: 1_500_000)),
    ])
    func requestHeadersAndBodyReachTheServer(sample: SampleBody) async throws {
        let body = sample.bytes
        try await TestHTTPServer.withServer { server in
            server.route("/v1/messages", method: "POST", .init(status: 202))
            let request = HTTPRequest(
                method: .post, url: server.baseURL + "/v1/messages?a=1&b=2",
                headers: ["Content-Type": "application/json", "X-Api-Key": "k-123", "Idempotency-Key": "act-9:3"],
                body: body)
            let response = try await perform(request)
            #expect(response.status == 202)

            let received = try #require(server.recordedRequests.first)
            #expect(received.method == "POST")
            #expect(received.path == "/v1/messages")
            #expect(received.query == "a=1&b=2")
            #expect(received.header("content-type") == "application/json")
            #expect(received.header("X-Api-Key") == "k-123")
            #expect(received.header("Idempotency-Key") == "act-9:3")
            #expect(received.header("Content-Length") == String(body.count))
            #expect(received.header("Expect") == nil)
            #expect(received.body == body)
        }
    }

    @Test(arguments: [HTTPMethod.get, .put, .patch, .delete, .options])
    func methodAndBodyAreSentAsGiven(method: HTTPMethod) async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/thing", .init(status: 200))
            let body = method == .get || method == .delete ? [] : Array("payload".utf8)
            _ = try await perform(HTTPRequest(method: method, url: server.baseURL + "/thing", body: body))
            let received = try #require(server.recordedRequests.first)
            #expect(received.method == method.rawValue)
            #expect(received.body == body)
        }
    }

    @Test func headRequestReturnsHeadersWithoutBody() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/thing", .init(status: 200, headers: [("X-Version", "7")], text: "ignored"))
            let response = try await perform(HTTPRequest(method: .head, url: server.baseURL + "/thing"))
            #expect(response.status == 200)
            #expect(response.headers["x-version"] == "7")
            #expect(response.body.isEmpty)
            #expect(server.recordedRequests.first?.method == "HEAD")
        }
    }

    @Test func aBodyWithoutContentTypeIsNotLabelledAsAForm() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/raw", .init(status: 200))
            _ = try await perform(HTTPRequest(method: .post, url: server.baseURL + "/raw", body: Array("x".utf8)))
            let received = try #require(server.recordedRequests.first)
            #expect(received.header("Content-Type") == nil)
        }
    }

    @Test func responseHeadersKeepRepeatsAndMatchNamesCaseInsensitively() async throws {
        try await TestHTTPServer.withServer { server in
            server.route(
                "/headers",
                .init(headers: [
                    ("Set-Cookie", "session=a; Path=/"), ("Set-Cookie", "tracking=b"), ("X-Request-Id", "r-42"),
                    ("Content-Type", "application/json"),
                ], text: "{}"))
            let response = try await perform(HTTPRequest(url: server.baseURL + "/headers"))
            #expect(response.headers.values(for: "set-cookie") == ["session=a; Path=/", "tracking=b"])
            #expect(response.headers["x-request-id"] == "r-42")
            #expect(response.headers["CONTENT-TYPE"] == "application/json")
            #expect(response.headers["Content-Length"] == "2")
            #expect(response.headers.allSatisfy { !$0.name.hasPrefix("HTTP/") })
        }
    }

    @Test(arguments: [
        (429, "120", RetryAfter.seconds(120)),
        (503, "Sun, 06 Nov 1994 08:49:37 GMT", RetryAfter.date(Date(timeIntervalSince1970: 784_111_777))),
    ])
    func retryAfterIsParsedFromTheResponse(status: Int, header: String, expected: RetryAfter) async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/busy", .init(status: status, headers: [("Retry-After", header)]))
            let response = try await perform(HTTPRequest(url: server.baseURL + "/busy"))
            #expect(response.status == status)
            #expect(response.retryAfter == expected)
        }
    }

    @Test(arguments: [("AC123", "tw1l1o"), ("ops@example.com", "p:ss wörd")])
    func basicAuthArrivesAsAnAuthorizationHeader(user: String, password: String) async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/sms", .init(status: 201))
            let request = HTTPRequest(
                method: .post, url: server.baseURL + "/sms",
                headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array("To=%2B1555".utf8),
                basicAuth: .init(user: user, password: password))
            _ = try await perform(request)
            let expected = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
            #expect(server.recordedRequests.first?.header("Authorization") == expected)
        }
    }

    @Test func aSlowServerTimesOutAfterAboutTheTimeout() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/slow", .init(text: "too late", delay: .seconds(30)))
            var arrivals = server.requests.makeAsyncIterator()
            let clock = ContinuousClock()
            let started = clock.now
            let error = await #expect(throws: CurlError.self) {
                try await perform(HTTPRequest(url: server.baseURL + "/slow", timeout: .milliseconds(500)))
            }
            let elapsed = clock.now - started
            #expect(error?.kind == .timeout)
            #expect(elapsed >= .milliseconds(450))
            #expect(elapsed < .seconds(10))
            // The request did reach the server: the time ran out waiting for the answer, not for a connection.
            #expect(await arrivals.next()?.path == "/slow")
        }
    }

    @Test func aClosedPortRefusesTheConnection() async throws {
        let port = try LoopbackPort.unused()
        let error = await #expect(throws: CurlError.self) {
            try await perform(HTTPRequest(url: "http://127.0.0.1:\(port)/", connectTimeout: .seconds(5)))
        }
        #expect(error?.kind == .couldNotConnect)
        #expect(error?.message.contains("\(port)") == true)
    }

    @Test(arguments: ["http://", "http://exa mple.com/", "://no-scheme", "file:///etc/passwd", "gopher://127.0.0.1/"])
    func aMalformedOrForeignURLIsRejected(url: String) async throws {
        let error = await #expect(throws: CurlError.self) { try await perform(HTTPRequest(url: url)) }
        #expect(error?.kind == .malformedURL)
    }

    @Test func anInvalidRequestFailsBeforeAnyIO() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/", .init(status: 200))
            let request = HTTPRequest(url: server.baseURL + "/", headers: ["X-Key": "secret\r\nX-Evil: 1"])
            let error = await #expect(throws: CurlError.self) { try await perform(request) }
            #expect(error?.kind == .invalidRequest)
            #expect(error.map { !String(describing: $0).contains("secret") } == true)
            // A request that succeeds afterwards is recorded first: nothing of the rejected one got through.
            _ = try await perform(HTTPRequest(url: server.baseURL + "/"))
            #expect(server.recordedRequests.map(\.path) == ["/"])
        }
    }

    @Test(arguments: [false, true], [16 << 10, 64 << 10])
    func responseBodyLimit(chunked: Bool, size: Int) async throws {
        let limit = 16 << 10
        try await TestHTTPServer.withServer { server in
            let body = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
            server.route("/big", .init(body: body, chunked: chunked))
            let request = HTTPRequest(url: server.baseURL + "/big", maxResponseBodySize: limit)
            if size <= limit {
                let response = try await perform(request)
                #expect(response.body == body)
                #expect(response.headers["Transfer-Encoding"] == (chunked ? "chunked" : nil))
            } else {
                let error = await #expect(throws: CurlError.self) { try await perform(request) }
                #expect(error?.kind == .responseTooLarge)
            }
        }
    }

    @Test func redirectsAreReturnedUnlessFollowingIsAsked() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/old", .init(status: 302, headers: [("Location", "/new")]))
            server.route("/new", .init(text: "moved here"))
            let unfollowed = try await perform(HTTPRequest(url: server.baseURL + "/old"))
            #expect(unfollowed.status == 302)
            #expect(unfollowed.headers["location"] == "/new")

            let followed = try await perform(HTTPRequest(url: server.baseURL + "/old", maxRedirects: 3))
            #expect(followed.status == 200)
            #expect(followed.body == Array("moved here".utf8))
            #expect(followed.headers["Location"] == nil, "headers of the redirect itself are dropped")
            #expect(server.recordedRequests.map(\.path) == ["/old", "/old", "/new"])
        }
    }

    @Test func oneHandleServesSeveralRequestsOverOneConnectionWithoutLeakingOptions() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/a", .init(status: 200, text: "A"))
            server.route("/b", .init(status: 201, text: "B"))
            server.route("/c", .init(status: 404))
            let url = server.baseURL
            let responses = try await onDedicatedThread {
                let easy = try CurlEasy()
                return [
                    try easy.perform(
                        HTTPRequest(
                            method: .post, url: url + "/a", headers: ["X-Once": "1"], body: Array("hello".utf8),
                            basicAuth: .init(user: "u", password: "p"))),
                    try easy.perform(HTTPRequest(url: url + "/b")),
                    try easy.perform(HTTPRequest(method: .delete, url: url + "/c")),
                ]
            }
            #expect(responses.map(\.status) == [200, 201, 404])
            #expect(responses.map(\.body) == [Array("A".utf8), Array("B".utf8), []])

            let received = server.recordedRequests
            #expect(received.map(\.method) == ["POST", "GET", "DELETE"])
            #expect(received[1].header("X-Once") == nil)
            #expect(received[1].header("Authorization") == nil)
            #expect(received[1].body.isEmpty)
            // The kept-alive connection survives curl_easy_reset: every request came from the same client port.
            #expect(Set(received.map(\.remoteAddress)).count == 1)
        }
    }
}
