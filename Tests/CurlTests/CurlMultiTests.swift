import Curl
import LeadflowTestKit
import Testing

@Suite("CurlMulti: many transfers in flight on one thread", .timeLimit(.minutes(1)))
struct CurlMultiTests {
    @Test func aSlowServerDoesNotHoldUpTheOthers() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/slow", .init(delay: .seconds(30)))
            server.route("/fast", .init(text: "quick"))
            let multi = CurlMulti(maxConcurrent: 8)
            var arrivals = server.requests.makeAsyncIterator()
            let url = server.baseURL
            let (completions, report) = AsyncStream<String>.makeStream()

            let slow = Task {
                defer { report.yield("slow") }
                return try await multi.perform(HTTPRequest(url: url + "/slow", timeout: .seconds(50)))
            }
            #expect(await arrivals.next()?.path == "/slow")
            let fast = Task {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<6 {
                        group.addTask {
                            let response = try await multi.perform(HTTPRequest(url: url + "/fast?n=\(index)"))
                            report.yield("fast")
                            return response.status
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            // Were the transfers served one after another, the fast ones would wait behind the slow one's 30 s
            // and the suite's time limit would end the test.
            let fastStatuses = try await fast.value
            #expect(fastStatuses == Array(repeating: 200, count: 6))
            slow.cancel()
            await #expect(throws: CancellationError.self) { try await slow.value }
            report.finish()
            let order = await completions.reduce(into: []) { $0.append($1) }
            #expect(order == Array(repeating: "fast", count: 6) + ["slow"])
            await multi.shutdown()
        }
    }

    @Test func noMoreThanMaxConcurrentTransfersRunAtOnce() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/held", .init(text: "done", delay: .milliseconds(200)))
            let multi = CurlMulti(maxConcurrent: 2)
            let url = server.baseURL + "/held"
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await multi.perform(HTTPRequest(url: url)).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 8))
            #expect(server.recordedRequests.count == 8)
            #expect(server.maxConcurrentRequests <= 2)
            await multi.shutdown()
        }
    }

    @Test func cancellingAQueuedRequestMeansItIsNeverSent() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/slow", .init(delay: .seconds(30)))
            let multi = CurlMulti(maxConcurrent: 1)
            var arrivals = server.requests.makeAsyncIterator()
            let url = server.baseURL
            let running = Task { try await multi.perform(HTTPRequest(url: url + "/slow", timeout: .seconds(50))) }
            #expect(await arrivals.next()?.path == "/slow")

            // The one slot is taken, so this waits in the queue; cancelling answers it there and then.
            let queued = Task { try await multi.perform(HTTPRequest(url: url + "/queued")) }
            queued.cancel()
            await #expect(throws: CancellationError.self) { try await queued.value }

            // Aborting the running transfer is immediate too: no polling, the handle leaves the multi handle.
            running.cancel()
            await #expect(throws: CancellationError.self) { try await running.value }
            #expect(!server.recordedRequests.contains { $0.path == "/queued" })

            // The slot is free again.
            server.route("/after", .init(text: "ok"))
            let after = try await multi.perform(HTTPRequest(url: url + "/after"))
            #expect(after.body == Array("ok".utf8))
            await multi.shutdown()
        }
    }

    @Test func transferErrorsAreCurlErrorsAndLeaveTheOthersAlone() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/slow", .init(delay: .seconds(30)))
            server.route("/fine", .init(text: "fine"))
            let multi = CurlMulti()
            let refusedURL = "http://127.0.0.1:\(try LoopbackPort.unused())/"
            let url = server.baseURL
            async let refused = curlError { try await multi.perform(HTTPRequest(url: refusedURL)) }
            async let timedOut = curlError {
                try await multi.perform(HTTPRequest(url: url + "/slow", timeout: .milliseconds(300)))
            }
            async let fine = multi.perform(HTTPRequest(url: url + "/fine"))

            #expect(try await fine.body == Array("fine".utf8))
            #expect(await refused?.kind == .couldNotConnect)
            #expect(await timedOut?.kind == .timeout)
            await #expect(throws: CurlError.self) {
                try await multi.perform(HTTPRequest(url: "file:///etc/passwd"))
            }
            await multi.shutdown()
        }
    }

    @Test func shutdownLetsRunningTransfersFinishThenRefusesNewOnes() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/slow", .init(text: "late", delay: .milliseconds(300)))
            let multi = CurlMulti()
            var arrivals = server.requests.makeAsyncIterator()
            let inFlight = Task { try await multi.perform(HTTPRequest(url: server.baseURL + "/slow")) }
            #expect(await arrivals.next()?.path == "/slow")

            await multi.shutdown()
            // shutdown() returned, so the transfer it waited for has its answer already.
            let finished = try await inFlight.value
            #expect(finished.body == Array("late".utf8))
            await #expect(throws: CancellationError.self) {
                try await multi.perform(HTTPRequest(url: server.baseURL + "/slow"))
            }
        }
    }
}

/// The `CurlError` that `body` throws, or nil when it succeeds or throws something else.
func curlError(_ body: () async throws -> some Any) async -> CurlError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? CurlError
    }
}
