import Postgres
import Testing

@Suite("PostgresRetryPolicy")
struct PostgresRetryPolicyTests {
    @Test("delays grow exponentially up to the cap")
    func delays() {
        let policy = PostgresRetryPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(1), multiplier: 2)
        let delays = (1...6).map { policy.delay(afterAttempt: $0) }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
    }

    @Test("connection errors are retried until success")
    func retriesConnectionErrors() async throws {
        let policy = PostgresRetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(1), jitter: false)
        var attempts = 0
        let value = try await policy.run {
            attempts += 1
            if attempts < 3 { throw PostgresError(kind: .connection, message: "down") }
            return "up"
        }
        #expect(value == "up")
        #expect(attempts == 3)
    }

    @Test("other errors are not retried, and attempts are bounded", arguments: [PostgresError.Kind.query, .connection])
    func bounded(kind: PostgresError.Kind) async {
        let policy = PostgresRetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(1), jitter: false)
        var attempts = 0
        await #expect(throws: PostgresError.self) {
            try await policy.run {
                attempts += 1
                throw PostgresError(kind: kind, message: "no")
            }
        }
        #expect(attempts == (kind == .connection ? 3 : 1))
    }
}
