import Curl
import Foundation
import LeadflowDomain
import LeadflowProto
import LeadflowTestKit
import Testing

@testable import LeadflowHandlers

@Suite("Circuit breakers in the handler service, against a real HTTP server", .timeLimit(.minutes(1)))
struct HandlerBreakerTests {
    /// Opens after three failures in a row, stays open for `open` (real time: the service reads the real clock),
    /// and closes on one successful probe. Tests that wait out the interval keep it short; the others make it long,
    /// so that a slow machine cannot end it before they are done.
    static func policy(open: Duration) -> CircuitBreakerPolicy {
        var policy = CircuitBreakerPolicy()
        policy.consecutiveFailures = 3
        policy.openDuration = open
        return policy
    }

    func start(
        _ curl: CurlMulti, logs: CapturedLogs = CapturedLogs(),
        breaker: CircuitBreakerPolicy? = HandlerBreakerTests.policy(open: .seconds(60)), timeout: Duration? = nil
    ) async throws -> HandlerHarness {
        try await HandlerHarness.start(driver: webhookDriver(curl, timeout: timeout), logs: logs) {
            $0.breaker = breaker
        }
    }

    /// Sends dispatches `ids` to `url` and returns their results, in order of id.
    func deliver(_ ids: ClosedRange<Int64>, to url: String, _ harness: HandlerHarness) async throws
        -> [Leadflow_V1_ActionResult]
    {
        try await harness.send(ids.map { webhookDispatch(id: $0, url: url) })
        return try await harness.nextResults(ids.count).sorted { $0.actionID < $1.actionID }
    }

    /// The snooze delay of a result, as the scheduler reads it.
    func delay(_ result: Leadflow_V1_ActionResult) -> Duration {
        .seconds(result.retryAfter.seconds) + .nanoseconds(Int64(result.retryAfter.nanos))
    }

    @Test func failuresOpenTheBreakerThenDispatchesAreSnoozedUntilAProbeClosesIt() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hook", .init(status: 500))
            try await withCurl { curl in
                let logs = CapturedLogs()
                let harness = try await start(curl, logs: logs, breaker: Self.policy(open: .seconds(3)))
                let url = server.baseURL + "/hook"
                let endpoint = "http://127.0.0.1:\(server.port)"

                // Three 500s in a row open the breaker.
                for id: Int64 in 1...3 {
                    let result = try #require(try await deliver(id...id, to: url, harness).first)
                    #expect(result.outcome == .retry)
                    #expect(result.errorClass == "http_5xx")
                }
                #expect(harness.service.statistics.breakersOpened == 1)
                let opened = try #require(logs.all.first { $0.message.hasPrefix("circuit breaker opened") })
                #expect(opened.level == .warning)
                #expect(opened.metadata["breaker.endpoint"] == endpoint)
                #expect(opened.metadata["reason"] == "3 consecutive failures")
                #expect(opened.metadata["error.class"] == "http_5xx")

                // While it is open nothing reaches the provider: every dispatch comes back snoozed.
                server.route("/hook", .init(status: 200))
                let snoozed = try await deliver(4...8, to: url, harness)
                #expect(server.recordedRequests.count == 3)
                for result in snoozed {
                    #expect(result.outcome == .snoozed)
                    #expect(result.errorClass == "circuit_open")
                    #expect(
                        result.error
                            == "the circuit breaker of \(endpoint) is open after 3 consecutive failures; not sent")
                    #expect(result.attempt == 1)
                    // The time left of the three-second interval, plus up to half an interval.
                    #expect(delay(result) > .zero && delay(result) <= .seconds(4.5))
                }
                #expect(harness.service.statistics.snoozed == 5)

                // Waiting out the snooze, as the scheduler would, ends the open interval: the next dispatch is the
                // probe, it succeeds, and the breaker closes.
                try await Task.sleep(for: try #require(snoozed.map(delay).min()))
                let probe = try #require(try await deliver(9...9, to: url, harness).first)
                #expect(probe.outcome == .succeeded)
                #expect(server.recordedRequests.count == 4)
                let statistics = harness.service.statistics
                #expect(statistics.breakersHalfOpened == 1)
                #expect(statistics.breakersClosed == 1)
                #expect(logs.all.contains { $0.message.hasPrefix("circuit breaker half-open") && $0.level == .info })
                #expect(logs.all.contains { $0.message.hasPrefix("circuit breaker closed") && $0.level == .info })

                // Closed again: everything goes through.
                let after = try await deliver(10...14, to: url, harness)
                #expect(after.allSatisfy { $0.outcome == .succeeded })
                #expect(server.recordedRequests.count == 9)
                try await harness.stop()
            }
        }
    }

    @Test func aFailedProbeOpensTheBreakerAgain() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hook", .init(status: 503))
            try await withCurl { curl in
                let harness = try await start(curl, breaker: Self.policy(open: .seconds(3)))
                let url = server.baseURL + "/hook"
                for id: Int64 in 1...3 { _ = try await deliver(id...id, to: url, harness) }
                let snoozed = try #require(try await deliver(4...4, to: url, harness).first)
                #expect(snoozed.outcome == .snoozed)

                try await Task.sleep(for: delay(snoozed))
                let probe = try #require(try await deliver(5...5, to: url, harness).first)
                #expect(probe.outcome == .retry)
                #expect(server.recordedRequests.count == 4)
                let again = try #require(try await deliver(6...6, to: url, harness).first)
                #expect(again.outcome == .snoozed)
                #expect(again.error.hasSuffix("is open after a probe failed; not sent"))
                #expect(server.recordedRequests.count == 4)
                let statistics = harness.service.statistics
                #expect(statistics.breakersOpened == 2)
                #expect(statistics.breakersHalfOpened == 1)
                #expect(statistics.breakersClosed == 0)
                try await harness.stop()
            }
        }
    }

    /// Runs `body` against a server that answers `/ok` at once and holds `/hang` far past `timeout`, and a service
    /// whose driver gives up after `timeout`; stops the service afterwards.
    func withHangingEndpoint(
        timeout: Duration, breaker: CircuitBreakerPolicy,
        _ body: (TestHTTPServer, HandlerHarness, CapturedLogs) async throws -> Void
    ) async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hang", .init(status: 200, delay: .seconds(30)))
            server.route("/ok", .init(status: 200))
            try await withCurl { curl in
                let logs = CapturedLogs()
                let harness = try await start(curl, logs: logs, breaker: breaker, timeout: timeout)
                try await body(server, harness, logs)
                try await harness.stop()
            }
        }
    }

    @Test func aBurstOfRequestsHangingTogetherAmongSuccessesDoesNotOpenTheBreaker() async throws {
        // Three failures in a row would open it, and the eight timeouts arrive together, one after another.
        try await withHangingEndpoint(timeout: .seconds(1), breaker: Self.policy(open: .seconds(60))) {
            server, harness, logs in
            var arrivals = server.requests.makeAsyncIterator()
            try await harness.send((1...8).map { webhookDispatch(id: $0, url: server.baseURL + "/hang") })
            for _ in 1...8 { #expect(await arrivals.next()?.path == "/hang") }

            // While all eight hang, the endpoint answers eight more; then the eight time out together.
            try await harness.send((9...16).map { webhookDispatch(id: $0, url: server.baseURL + "/ok") })
            let results = try await harness.nextResults(16)
            #expect(Set(results.prefix(8).map(\.actionID)) == Set(9...16))
            #expect(results.prefix(8).allSatisfy { $0.outcome == .succeeded })
            #expect(Set(results.suffix(8).map(\.actionID)) == Set(1...8))
            #expect(results.suffix(8).allSatisfy { $0.outcome == .retry && $0.errorClass == "timeout" })

            #expect(harness.service.statistics.breakersOpened == 0)
            #expect(!logs.all.contains { $0.message.hasPrefix("circuit breaker opened") })
            // Nothing is snoozed afterwards: every dispatch reaches the endpoint.
            let after = try await deliver(17...24, to: server.baseURL + "/ok", harness)
            #expect(after.allSatisfy { $0.outcome == .succeeded }, "\(after.map(\.errorClass))")
            #expect(server.recordedRequests.count == 24)
            #expect(harness.service.statistics.snoozed == 0)
        }
    }

    @Test func aSustainedRateOfHangingRequestsOpensTheBreaker() async throws {
        var policy = CircuitBreakerPolicy()
        policy.minimumRequests = 10
        policy.openDuration = .seconds(60)
        try await withHangingEndpoint(timeout: .milliseconds(300), breaker: policy) { server, harness, logs in
            // Each round: two answered, then three sent together that time out together. Never five failures in
            // a row; 60 % of the requests fail.
            for round: Int64 in 0..<2 {
                #expect(harness.service.statistics.breakersOpened == 0)
                let answered = try await deliver(round * 5 + 1...round * 5 + 2, to: server.baseURL + "/ok", harness)
                #expect(answered.allSatisfy { $0.outcome == .succeeded })
                let hung = try await deliver(round * 5 + 3...round * 5 + 5, to: server.baseURL + "/hang", harness)
                #expect(hung.allSatisfy { $0.outcome == .retry && $0.errorClass == "timeout" })
            }
            #expect(harness.service.statistics.breakersOpened == 1)
            let reason = "failure rate 60% (6 of 10 requests in the last 30.0 seconds)"
            let opened = try #require(logs.all.first { $0.message.hasPrefix("circuit breaker opened") })
            #expect(opened.metadata["reason"] == "\(reason)")
            #expect(opened.metadata["error.class"] == "timeout")

            let snoozed = try await deliver(11...13, to: server.baseURL + "/ok", harness)
            let endpoint = "http://127.0.0.1:\(server.port)"
            for result in snoozed {
                #expect(result.outcome == .snoozed)
                #expect(result.errorClass == "circuit_open")
                #expect(result.error == "the circuit breaker of \(endpoint) is open after \(reason); not sent")
            }
            #expect(server.recordedRequests.count == 10)
        }
    }

    @Test func permanentRefusalsDoNotOpenTheBreaker() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hook", .init(status: 404))
            try await withCurl { curl in
                let harness = try await start(curl)
                let results = try await deliver(1...8, to: server.baseURL + "/hook", harness)
                #expect(results.allSatisfy { $0.outcome == .failedPermanently && $0.errorClass == "http_4xx" })
                #expect(server.recordedRequests.count == 8)
                #expect(harness.service.statistics.breakersOpened == 0)
                try await harness.stop()
            }
        }
    }

    @Test func anOpenBreakerHoldsBackOnlyItsOwnEndpoint() async throws {
        try await TestHTTPServer.withServer { failing in
            try await TestHTTPServer.withServer { healthy in
                failing.route("/hook", .init(status: 502))
                healthy.route("/hook", .init(status: 200))
                try await withCurl { curl in
                    let harness = try await start(curl)
                    for id: Int64 in 1...3 { _ = try await deliver(id...id, to: failing.baseURL + "/hook", harness) }
                    let results = try await deliver(4...5, to: healthy.baseURL + "/hook", harness)
                    #expect(results.allSatisfy { $0.outcome == .succeeded })
                    #expect(healthy.recordedRequests.count == 2)
                    let snoozed = try #require(try await deliver(6...6, to: failing.baseURL + "/hook", harness).first)
                    #expect(snoozed.outcome == .snoozed)
                    #expect(failing.recordedRequests.count == 3)
                    try await harness.stop()
                }
            }
        }
    }

    @Test func withoutABreakerEveryDispatchIsSent() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/hook", .init(status: 500))
            try await withCurl { curl in
                let harness = try await start(curl, breaker: nil)
                for id: Int64 in 1...6 {
                    #expect(try await deliver(id...id, to: server.baseURL + "/hook", harness).first?.outcome == .retry)
                }
                #expect(server.recordedRequests.count == 6)
                try await harness.stop()
            }
        }
    }
}
