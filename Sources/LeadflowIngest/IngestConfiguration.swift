/// How an ingest service listens, batches and remembers message ids.
public struct IngestConfiguration: Sendable {
    /// Where clients connect (ROUTER).
    public var endpoint = "tcp://127.0.0.1:4222"
    /// Where accepted lead events are published (PUB); `nil`: not published.
    public var eventsEndpoint: String? = "tcp://127.0.0.1:4223"
    /// Most messages written in one transaction.
    public var maxBatch = 512
    /// `max_attempts` of actions whose definition sets none.
    public var defaultMaxAttempts = 5
    /// How long a msg id is remembered for deduplication.
    public var dedupWindow: Duration = .seconds(24 * 3600)
    /// How long a failing database is retried for one batch before its messages are left unanswered (their
    /// clients send them again).
    public var databaseRetryLimit: Duration = .seconds(10)
    /// Whether lead events are written to the lead history in the transaction that causes them.
    public var keepsHistory = true

    public init() {}

    /// Readable problems, empty when the configuration is usable.
    public func problems() -> [String] {
        var problems: [String] = []
        if endpoint.isEmpty { problems.append("ingest endpoint must not be empty") }
        if !(1...10_000).contains(maxBatch) { problems.append("ingest max batch must be 1…10000 (got \(maxBatch))") }
        if defaultMaxAttempts < 1 { problems.append("default max attempts must be at least 1 (got \(defaultMaxAttempts))") }
        if dedupWindow < .seconds(60) { problems.append("dedup window must be at least 60 s (got \(dedupWindow))") }
        return problems
    }
}
