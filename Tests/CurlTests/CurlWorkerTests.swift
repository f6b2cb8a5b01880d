import Curl
import LeadflowTestKit
import Testing

@Suite("CurlWorker: requests from async code on a dedicated thread", .timeLimit(.minutes(1)))
struct CurlWorkerTests {
    @Test func concurrentCallersShareOneHandleAndConnection() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/n", .init(text: "ok"))
            let worker = CurlWorker()
            let url = server.baseURL + "/n"
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await worker.perform(HTTPRequest(url: url)).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 8))
            let received = server.recordedRequests
            #expect(received.count == 8)
            #expect(Set(received.map(\.remoteAddress)).count == 1)
        }
    }

    @Test func aFailedTransferLeavesTheWorkerUsable() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/slow", .init(delay: .seconds(30)))
            server.route("/fast", .init(text: "fine"))
            let worker = CurlWorker()
            let error = await #expect(throws: CurlError.self) {
                try await worker.perform(HTTPRequest(url: server.baseURL + "/slow", timeout: .milliseconds(300)))
            }
            #expect(error?.kind == .timeout)
            let response = try await worker.perform(HTTPRequest(url: server.baseURL + "/fast"))
            #expect(response.body == Array("fine".utf8))
        }
    }

    @Test func cancellingTheCallerAbandonsTheTransferInFlight() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/slow", .init(delay: .seconds(30)))
            server.route("/fast", .init(text: "fine"))
            let worker = CurlWorker()
            var arrivals = server.requests.makeAsyncIterator()
            let url = server.baseURL
            let inFlight = Task { try await worker.perform(HTTPRequest(url: url + "/slow", timeout: .seconds(30))) }
            #expect(await arrivals.next()?.path == "/slow")

            let clock = ContinuousClock()
            let cancelled = clock.now
            inFlight.cancel()
            await #expect(throws: CancellationError.self) { try await inFlight.value }
            // libcurl polls the abort flag about once a second while it waits; far less than the server's 30 s.
            #expect(clock.now - cancelled < .seconds(10))

            let response = try await worker.perform(HTTPRequest(url: url + "/fast"))
            #expect(response.status == 200)
        }
    }

    @Test func aQueuedRequestCancelledBeforeItsTurnIsNeverSent() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/slow", .init(delay: .seconds(30)))
            let worker = CurlWorker()
            var arrivals = server.requests.makeAsyncIterator()
            let url = server.baseURL
            let first = Task { try await worker.perform(HTTPRequest(url: url + "/slow")) }
            #expect(await arrivals.next()?.path == "/slow")

            let queued = Task { try await worker.perform(HTTPRequest(url: url + "/queued")) }
            queued.cancel()
            // Answered while the worker is still busy with the first request, which cannot end for 30 s.
            await #expect(throws: CancellationError.self) { try await queued.value }
            first.cancel()
            await #expect(throws: CancellationError.self) { try await first.value }
            #expect(!server.recordedRequests.contains { $0.path == "/queued" })
        }
    }

    @Test func aShutDownWorkerRefusesNewRequests() async throws {
        let worker = CurlWorker()
        worker.shutdown()
        await #expect(throws: CancellationError.self) {
            try await worker.perform(HTTPRequest(url: "http://127.0.0.1:1/"))
        }
    }
}
