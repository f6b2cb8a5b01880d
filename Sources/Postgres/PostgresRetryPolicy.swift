import Logging

/// Retries an operation that failed with a connection error, with capped exponential backoff: for start-up
/// while the database comes up, and for idempotent work across a database restart.
public struct PostgresRetryPolicy: Sendable {
    /// Attempts in total, the first one included.
    public var maxAttempts: Int = 8
    public var initialDelay: Duration = .milliseconds(100)
    public var maxDelay: Duration = .seconds(5)
    public var multiplier: Double = 2
    /// Waits a random time between half the delay and the delay, so restarted services do not retry in step.
    public var jitter: Bool = true

    public init(
        maxAttempts: Int = 8, initialDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5),
        multiplier: Double = 2, jitter: Bool = true
    ) {
        precondition(maxAttempts >= 1, "at least one attempt")
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The delay before attempt `attempt + 1`, without jitter (`attempt` counts from 1).
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, attempt) {
            delay = delay * multiplier
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }

    /// Runs `operation`, retrying while it throws a `.connection` `PostgresError` and attempts remain.
    public func run<T>(
        logger: Logger? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ operation: () async throws -> sending T
    ) async throws -> sending T {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let error as PostgresError where error.isConnectionError && attempt < maxAttempts {
                var delay = delay(afterAttempt: attempt)
                if jitter { delay = delay * Double.random(in: 0.5...1) }
                (logger ?? .postgresNoop).notice(
                    "database unavailable, retrying",
                    metadata: ["attempt": "\(attempt)", "retry.delay": "\(delay)", "postgres.error": "\(error.message)"])
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }
}
