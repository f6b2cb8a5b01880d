import LeadflowDomain
import Synchronization
import Testing

@testable import LeadflowClient

@Suite("Client rules without sockets: configuration, backoff, msg ids")
struct ClientRulesTests {
    @Test("the defaults are valid and ride out a 30-second ingest restart")
    func defaults() throws {
        let configuration = LeadflowClient.Configuration()
        try configuration.validate()
        #expect(configuration.deadline >= .seconds(30) + configuration.attemptTimeout + configuration.retry.cap)
        #expect(configuration.maxAttempts == nil)
    }

    @Test("validate() names every problem in words")
    func invalidConfiguration() {
        var configuration = LeadflowClient.Configuration()
        configuration.maxOutstanding = 0
        configuration.attemptTimeout = .seconds(10)
        configuration.deadline = .seconds(2)
        configuration.retry = RetryPolicy(base: .seconds(3), cap: .seconds(1))
        configuration.maxAttempts = 0
        let error = #expect(throws: LeadflowClientError.self) { try configuration.validate() }
        #expect(error?.code == .invalidConfiguration)
        let detail = error?.detail ?? ""
        for expected in [
            "maxOutstanding must be at least 1 (is 0)", "deadline (2.0 seconds) cannot be shorter than attemptTimeout",
            "retry cap (1.0 seconds) cannot be shorter than the retry base", "maxAttempts must be at least 1",
        ] {
            #expect(detail.contains(expected), "\(expected) in: \(detail)")
        }
    }

    @Test("connect refuses an invalid configuration before touching the network")
    func connectValidates() async {
        var configuration = LeadflowClient.Configuration()
        configuration.maxOutstanding = -1
        let error = await #expect(throws: LeadflowClientError.self) {
            try await LeadflowClient.connect(to: "tcp://127.0.0.1:1", configuration: configuration, logger: .init(label: "t"))
        }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("generated msg ids are unique under concurrency, and differ between generators (processes)")
    func uniqueIDs() async {
        let generator = MsgIDGenerator()
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<20_000).map { _ in generator.next() } } }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix(generator.prefix + "-") && $0.utf8.count <= 40 })
        #expect(generator.prefix.count == 16)

        let other = MsgIDGenerator()
        #expect(other.prefix != generator.prefix)
        #expect(other.next() != MsgIDGenerator().next())
    }

    @Test(
        "the window makes publishers wait for a slot, first come first served, and refuses once closed",
        .timeLimit(.minutes(1)))
    func window() async throws {
        let window = PublishWindow(capacity: 2)
        try await window.acquire()
        try await window.acquire()
        #expect(window.inUse == 2)

        let first = Task { try await window.acquire() }
        while window.waiting < 1 { await Task.yield() }
        let second = Task { try await window.acquire() }
        while window.waiting < 2 { await Task.yield() }

        window.release()
        try await first.value  // the slot went to the one that waited longest
        #expect(window.waiting == 1)
        #expect(window.inUse == 2)
        window.close()
        await #expect(throws: PublishWindow.Refusal.closed) { try await second.value }
        await #expect(throws: PublishWindow.Refusal.closed) { try await window.acquire() }
        window.release()
        #expect(window.inUse == 1)
    }
}
