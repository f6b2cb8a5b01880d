import LeadflowAdmin
import Testing

/// The bad-token limiter as a pure state machine: times are passed in.
@Suite("Bad-token limiter")
struct BadTokenLimiterTests {
    let start = ContinuousClock.now

    @Test("an address gets `limit` bad tokens, then waits window / limit per try; other addresses are unaffected")
    func limit() {
        var limiter = BadTokenLimiter(limit: 10, window: .seconds(60))
        for _ in 0..<10 {
            #expect(limiter.decision(for: "10.0.0.1", at: start) == .admit)
            limiter.recordBadToken(from: "10.0.0.1", at: start)
        }
        #expect(limiter.decision(for: "10.0.0.1", at: start) == .refuse(retryAfterSeconds: 6))
        #expect(limiter.decision(for: "10.0.0.1", at: start + .seconds(4)) == .refuse(retryAfterSeconds: 2))
        #expect(limiter.decision(for: "10.0.0.2", at: start) == .admit)
        #expect(limiter.decision(for: "10.0.0.1", at: start + .seconds(7)) == .admit)
        limiter.recordBadToken(from: "10.0.0.1", at: start + .seconds(7))
        #expect(limiter.decision(for: "10.0.0.1", at: start + .seconds(7)) == .refuse(retryAfterSeconds: 5))
    }

    @Test("at capacity it forgets refilled addresses first, then the one that waited longest")
    func capacity() {
        var limiter = BadTokenLimiter(limit: 2, window: .seconds(10), capacity: 2)
        limiter.recordBadToken(from: "a", at: start)
        limiter.recordBadToken(from: "a", at: start)
        limiter.recordBadToken(from: "b", at: start + .seconds(1))
        limiter.recordBadToken(from: "b", at: start + .seconds(1))
        limiter.recordBadToken(from: "c", at: start + .seconds(2))
        #expect(limiter.trackedAddresses == 2)
        #expect(limiter.decision(for: "a", at: start + .seconds(2)) == .admit, "the oldest was forgotten")
        #expect(limiter.decision(for: "b", at: start + .seconds(2)) == .refuse(retryAfterSeconds: 4))
        // Thirty seconds on, every bucket is full again: making room forgets them all.
        limiter.recordBadToken(from: "d", at: start + .seconds(30))
        #expect(limiter.trackedAddresses == 1)
    }
}
