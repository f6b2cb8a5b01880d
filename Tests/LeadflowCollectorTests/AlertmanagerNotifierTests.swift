import Foundation
import LeadflowCollector
import LeadflowDomain
import LeadflowTestKit
import Logging
import Testing

/// The notifier against a real Alertmanager and against a loopback server that fails on purpose.
@Suite("Alertmanager notifier")
struct AlertmanagerNotifierTests {
    static let quickRetry = RetryPolicy(base: .milliseconds(10), cap: .milliseconds(50))

    static func body(state: String, startsAt: Date, endsAt: Date?) -> [UInt8] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var alert: [String: Any] = [
            "labels": ["alertname": "scheduler_claim_p99", "severity": "warning", "component": "scheduler"],
            "annotations": ["summary": "scheduler.claim p99 140 ms > 100 ms (\(state))"],
            "startsAt": formatter.string(from: startsAt),
            "generatorURL": "http://127.0.0.1:9470/alerts",
        ]
        if let endsAt { alert["endsAt"] = formatter.string(from: endsAt) }
        return Array(try! JSONSerialization.data(withJSONObject: [alert]))
    }

    @Test("a real Alertmanager lists a fired alert and drops it once resolved")
    func realAlertmanager() async throws {
        try await TestAlertmanager.withAlertmanager { alertmanager in
            let start = Date()
            let firing = AlertmanagerNotifier(urls: [alertmanager.baseURL], retry: Self.quickRetry, logger: Logger(label: "test"))
            firing.notify(Self.body(state: "firing", startsAt: start, endsAt: nil))
            await firing.close()
            #expect(firing.statistics.sent == 1)
            let listed = try await alertmanager.alerts()
            #expect(listed.count == 1)
            #expect(listed.first?.labels["alertname"] == "scheduler_claim_p99")
            #expect(listed.first?.labels["component"] == "scheduler")
            #expect(listed.first?.status.state == "active")

            let resolved = AlertmanagerNotifier(urls: [alertmanager.baseURL + "/"], retry: Self.quickRetry, logger: Logger(label: "test"))
            resolved.notify(Self.body(state: "resolved", startsAt: start, endsAt: Date()))
            await resolved.close()
            #expect(resolved.statistics.sent == 1)
            #expect(try await alertmanager.alerts().isEmpty)
        }
    }

    @Test("a 503 is retried until accepted; a 400 is given up at once")
    func retriesTransientFailures() async throws {
        try await TestHTTPServer.withServer { server in
            server.route("/api/v2/alerts", method: "POST", .init(status: 503, text: "busy"))
            let notifier = AlertmanagerNotifier(urls: [server.baseURL], retry: Self.quickRetry, logger: Logger(label: "test"))
            var requests = server.requests.makeAsyncIterator()
            notifier.notify(Self.body(state: "firing", startsAt: Date(), endsAt: nil))
            let first = await requests.next()
            #expect(first?.method == "POST")
            #expect(first?.headers.first { $0.name.lowercased() == "content-type" }?.value == "application/json")
            server.route("/api/v2/alerts", method: "POST", .init(status: 200))
            let second = await requests.next()
            #expect(second?.body == first?.body)
            await notifier.close()
            #expect(notifier.statistics == .init(sent: 1, retried: 1, failed: 0, dropped: 0))
        }
        try await TestHTTPServer.withServer { server in
            server.route("/api/v2/alerts", method: "POST", .init(status: 400, text: "bad alert"))
            let notifier = AlertmanagerNotifier(urls: [server.baseURL], retry: Self.quickRetry, logger: Logger(label: "test"))
            notifier.notify(Self.body(state: "firing", startsAt: Date(), endsAt: nil))
            await notifier.close()
            #expect(notifier.statistics == .init(sent: 0, retried: 0, failed: 1, dropped: 0))
        }
    }

    @Test("an unreachable Alertmanager costs the configured attempts, then the notification is dropped")
    func unreachable() async throws {
        let port = try LoopbackPort.unused()
        let notifier = AlertmanagerNotifier(
            urls: ["http://127.0.0.1:\(port)"], attempts: 3, retry: Self.quickRetry, logger: Logger(label: "test"))
        notifier.notify(Self.body(state: "firing", startsAt: Date(), endsAt: nil))
        await notifier.close()
        #expect(notifier.statistics == .init(sent: 0, retried: 2, failed: 1, dropped: 0))
    }
}
