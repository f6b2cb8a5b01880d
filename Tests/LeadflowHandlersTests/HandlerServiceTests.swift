import Curl
import Foundation
import LeadflowBus
import LeadflowProto
import LeadflowTestKit
import Logging
import Testing

@testable import LeadflowHandlers

@Suite("Handler service end to end over real ZeroMQ sockets", .timeLimit(.minutes(1)))
struct HandlerServiceTests {
    @Test func everyDispatchGetsOneResultAndAMalformedOneStopsNothing() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/ok", .init(status: 200))
            server.route("/busy", .init(status: 429, headers: [("Retry-After", "7")]))
            try await withCurl { curl in
                let logs = CapturedLogs()
                let harness = try await HandlerHarness.start(driver: webhookDriver(curl), logs: logs)

                let first = (1...10).map {
                    webhookDispatch(id: Int64($0), attempt: UInt32($0 % 3 + 1), url: server.baseURL + "/ok")
                }
                let second = (11...20).map {
                    webhookDispatch(id: Int64($0), attempt: 2, url: server.baseURL + ($0 == 15 ? "/busy" : "/ok"))
                }
                try await harness.send(first)
                try await harness.sendRaw(subject: "action.webhook", payload: [0xFF, 0xFF, 0xFF])
                try await harness.sendRaw(
                    subject: "action.sms", payload: try webhookDispatch(id: 99, url: "x").serializedBytes())
                try await harness.send(second)

                let results = try await harness.nextResults(20)
                let byID = Dictionary(uniqueKeysWithValues: results.map { ($0.actionID, $0) })
                #expect(Set(byID.keys) == Set(1...20))
                for dispatch in first + second {
                    let result = try #require(byID[dispatch.actionID])
                    #expect(result.attempt == dispatch.attempt)
                    #expect(result.handlerID == "webhook@test")
                    #expect(result.hasDuration)
                    if dispatch.actionID == 15 {
                        #expect(result.outcome == .retry)
                        #expect(result.errorClass == "http_429")
                        #expect(result.retryAfter.seconds == 7)
                        #expect(result.error == "HTTP 429 from POST \(server.baseURL)/busy")
                    } else {
                        #expect(result.outcome == .succeeded)
                        #expect(result.errorClass.isEmpty)
                    }
                }
                try await harness.stop()
                let statistics = harness.service.statistics
                #expect(statistics.delivered == 19)
                #expect(statistics.retried == 1)
                #expect(statistics.failed == 0)
                #expect(statistics.undecodable == 2)
                #expect(statistics.inFlight == 0)
                let skipped = logs.all.filter { $0.message == "undecodable dispatch skipped" }
                #expect(skipped.count == 2)
                #expect(
                    skipped.contains {
                        $0.metadata["reason"]?.contains("is not a valid leadflow.v1.ActionDispatch") == true
                    })
                #expect(skipped.contains { $0.metadata["reason"] == "subject action.sms is not action.webhook" })
            }
        }
    }

    @Test("a result names its dispatch's organization in Leadflow-Org, so the scheduler can apply results in turns")
    func resultsNameTheirOrganization() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/ok", .init(status: 200))
            try await withCurl { curl in
                let harness = try await HandlerHarness.start(driver: webhookDriver(curl))
                let dispatches = ["acme", "globex"].enumerated().map { index, org in
                    var dispatch = webhookDispatch(id: Int64(index + 1), url: server.baseURL + "/ok")
                    dispatch.org = org
                    return dispatch
                }
                try await harness.send(dispatches)
                var orgs: [Int64: String] = [:]
                while orgs.count < 2 {
                    let envelope = try #require(await harness.results.next())
                    let result = try envelope.decode(Leadflow_V1_ActionResult.self)
                    orgs[result.actionID] = envelope.headers[Headers.Name.org]
                }
                #expect(orgs == [1: "acme", 2: "globex"])
                try await harness.stop()
            }
        }
    }

    @Test func aSlowDeliveryDoesNotHoldUpTheOthers() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/slow", .init(status: 200, delay: .seconds(30)))
            server.route("/ok", .init(status: 200))
            try await withCurl { curl in
                let harness = try await HandlerHarness.start(driver: webhookDriver(curl)) { configuration in
                    // Stopping ends the wait for the slow one quickly, without making the test time it.
                    configuration.drainTimeout = .milliseconds(100)
                }
                var arrivals = server.requests.makeAsyncIterator()
                try await harness.send([webhookDispatch(id: 1, url: server.baseURL + "/slow")])
                #expect(await arrivals.next()?.path == "/slow")

                try await harness.send((2...6).map { webhookDispatch(id: Int64($0), url: server.baseURL + "/ok") })
                // The slow delivery is still in flight (30 s), yet the five after it are all answered.
                let fast = try await harness.nextResults(5)
                #expect(Set(fast.map(\.actionID)) == Set(2...6))
                #expect(fast.allSatisfy { $0.outcome == .succeeded })

                // Shutting down cancels it once the drain time is over; its result says so, and it is retried.
                harness.service.shutdown()
                let slow = try #require(try await harness.nextResults(1).first)
                #expect(slow.actionID == 1)
                #expect(slow.outcome == .retry)
                #expect(slow.errorClass == "canceled")
                try await harness.stop()
            }
        }
    }

    @Test(arguments: [false, true])
    func shuttingDownLetsDeliveriesInFlightFinish(inServiceGroup: Bool) async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/held", .init(status: 200, delay: .milliseconds(300)))
            try await withCurl { curl in
                let harness = try await HandlerHarness.start(
                    driver: webhookDriver(curl), inServiceGroup: inServiceGroup)
                var arrivals = server.requests.makeAsyncIterator()
                try await harness.send((1...3).map { webhookDispatch(id: Int64($0), url: server.baseURL + "/held") })
                for _ in 1...3 { _ = await arrivals.next() }

                // All three are in flight; a graceful shutdown waits for them and still pushes their results.
                await harness.requestShutdown()
                try await harness.running.value
                let results = try await harness.nextResults(3)
                #expect(Set(results.map(\.actionID)) == [1, 2, 3])
                #expect(results.allSatisfy { $0.outcome == .succeeded })
                try await harness.stop()
            }
        }
    }

    @Test func cancellingTheServiceCancelsDeliveriesInFlightAndStillReportsThem() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/slow", .init(status: 200, delay: .seconds(30)))
            try await withCurl { curl in
                // The default drain time is 30 s: the test's time limit fails it if cancelling waited for that.
                let harness = try await HandlerHarness.start(driver: webhookDriver(curl))
                var arrivals = server.requests.makeAsyncIterator()
                try await harness.send([webhookDispatch(id: 1, attempt: 2, url: server.baseURL + "/slow")])
                #expect(await arrivals.next()?.path == "/slow")

                harness.running.cancel()
                try await harness.running.value
                let result = try #require(try await harness.nextResults(1).first)
                #expect(result.actionID == 1)
                #expect(result.attempt == 2)
                #expect(result.outcome == .retry)
                #expect(result.errorClass == "canceled")
                try await harness.stop()
            }
        }
    }

    @Test func noMoreThanMaxInFlightDeliveriesRunAtOnce() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/held", .init(status: 200, delay: .milliseconds(100)))
            try await withCurl { curl in
                let harness = try await HandlerHarness.start(driver: webhookDriver(curl)) { $0.maxInFlight = 2 }
                try await harness.send((1...8).map { webhookDispatch(id: Int64($0), url: server.baseURL + "/held") })
                let results = try await harness.nextResults(8)
                #expect(Set(results.map(\.actionID)) == Set(1...8))
                #expect(server.maxConcurrentRequests <= 2)
                try await harness.stop()
            }
        }
    }

    @Test("a dispatch whose lease ended while it waited is not delivered but handed back, attempt unused")
    func anExpiredDispatchIsHandedBack() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/ok", .init(status: 200))
            try await withCurl { curl in
                let harness = try await HandlerHarness.start(driver: webhookDriver(curl))
                var stale = webhookDispatch(id: 1, attempt: 3, url: server.baseURL + "/ok")
                stale.deadline = .init(date: Date().addingTimeInterval(-1))
                var fresh = webhookDispatch(id: 2, url: server.baseURL + "/ok")
                fresh.deadline = .init(date: Date().addingTimeInterval(300))
                try await harness.send([stale, fresh])
                let results = Dictionary(uniqueKeysWithValues: try await harness.nextResults(2).map { ($0.actionID, $0) })
                let handedBack = try #require(results[1])
                #expect(handedBack.outcome == .snoozed)
                #expect(handedBack.attempt == 3)
                #expect(handedBack.hasRetryAfter && handedBack.retryAfter.seconds == 0 && handedBack.retryAfter.nanos == 0)
                #expect(results[2]?.outcome == .succeeded)
                #expect(server.recordedRequests.map { $0.header("Idempotency-Key") } == ["act-2"])
                try await harness.stop()
                #expect(harness.service.statistics.expired == 1)
                #expect(harness.service.statistics.delivered == 1)
            }
        }
    }

    @Test func aDispatchOfAnotherActionTypeFailsPermanently() async throws {
        let harness = try await HandlerHarness.start(driver: LogDriver(logger: Logger(label: "test")))
        var dispatch = smsDispatch(id: 5)
        dispatch.attempt = 3
        try await harness.send([dispatch])
        let result = try #require(try await harness.nextResults(1).first)
        #expect(result.actionID == 5)
        #expect(result.attempt == 3)
        #expect(result.outcome == .failedPermanently)
        #expect(result.errorClass == "invalid_action")
        try await harness.stop()
    }

    @Test func theAttemptHeaderStandsInForAMissingAttemptField() async throws {
        let harness = try await HandlerHarness.start(driver: LogDriver(logger: Logger(label: "test")))
        var dispatch = webhookDispatch(id: 8, url: "http://127.0.0.1:1/")
        dispatch.attempt = 0
        try await harness.dispatches.push(
            Envelope(
                subject: Subject("action.webhook"), message: dispatch, headers: Headers([Headers.Name.attempt: "4"])))
        let result = try #require(try await harness.nextResults(1).first)
        #expect(result.actionID == 8)
        #expect(result.attempt == 4)
        #expect(result.outcome == .succeeded)
        try await harness.stop()
    }

    @Test(
        "configuration problems are reported before any socket is opened",
        arguments: [
            ({ @Sendable (c: inout HandlerService.Configuration) in c.actionType = .wait }, "handler.action_type"),
            ({ c in c.actionEndpoints = [] }, "handler.action_endpoints"),
            ({ c in c.resultEndpoints = [] }, "handler.result_endpoints"),
            ({ c in c.maxInFlight = 0 }, "handler.max_in_flight"),
            ({ c in c.drainTimeout = .seconds(-1) }, "handler.drain_timeout"),
            ({ c in c.breaker?.failureRate = 2 }, "handler.breaker.failure_rate"),
            ({ c in c.breaker?.openDuration = .zero }, "handler.breaker.open_duration"),
        ] as [(@Sendable (inout HandlerService.Configuration) -> Void, String)])
    func configuration(change: @Sendable (inout HandlerService.Configuration) -> Void, setting: String) {
        var configuration = HandlerService.Configuration(
            actionType: .email, actionEndpoints: [.connect("tcp://127.0.0.1:4230")],
            resultEndpoints: [.connect("tcp://127.0.0.1:4239")])
        #expect(throws: Never.self) { try configuration.validate() }
        #expect(configuration.handlerID.hasPrefix("email@"))
        change(&configuration)
        let error = #expect(throws: HandlerConfigurationError.self) { try configuration.validate() }
        #expect(error?.setting == setting)
    }
}
